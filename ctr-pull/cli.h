// ctr-pull's command line: parse flags, call the library, map errors to exit codes.
#pragma once

namespace hull::pull {

// Exit codes: 0 ok, 1 error, 2 usage.
int CtrPullMain(int argc, char** argv);

}  // namespace hull::pull
