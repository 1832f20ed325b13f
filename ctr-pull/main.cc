#include "ctr-pull/cli.h"

int main(int argc, char** argv) { return hull::pull::CtrPullMain(argc, argv); }
