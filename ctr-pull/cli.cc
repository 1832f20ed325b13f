#include "ctr-pull/cli.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status.h"
#include "ctr-pull/pull.h"

namespace hull::pull {
namespace {

constexpr char kUsage[] =
    "usage: ctr-pull [options] IMAGE BUNDLE_DIR [-- COMMAND ARGS...]\n"
    "\n"
    "Pulls IMAGE into a verified local cache and writes an OCI bundle for `hull run -b "
    "BUNDLE_DIR`.\n"
    "IMAGE: a registry reference (alpine, alpine:3.19, repo@sha256:..., host:5000/team/app:v1),\n"
    "       oci:DIR[:TAG] (an OCI image layout) or docker-archive:FILE (a `docker save` tarball).\n"
    "\n"
    "options:\n"
    "  --platform OS/ARCH[/VARIANT]  platform to pick from an index (default: this machine)\n"
    "  --cache DIR                   image cache (default /var/lib/hull/images)\n"
    "  --pull always|missing|never   when to contact the registry (default missing)\n"
    "  --plain-http                  talk http:// to the registry\n"
    "  --insecure                    https without certificate verification\n"
    "  --ca-file FILE                extra CA certificates for the registry\n"
    "  --creds USER:PASS             registry credentials (default: ~/.docker/config.json)\n"
    "  --timeout SECONDS             abort a transfer stalled this long (default 60)\n"
    "  --quiet, -q                   no progress output\n"
    "bundle options:\n"
    "  --entrypoint CMD              replace the image's Entrypoint (\"\" clears it)\n"
    "  --env, -e KEY=VALUE           set an environment variable (repeatable)\n"
    "  --workdir, -w DIR             working directory\n"
    "  --user, -u USER[:GROUP]       user to run as\n"
    "  --tty, -t                     allocate a terminal (process.terminal)\n"
    "  --rootless                    a bundle for a rootless runtime (user namespace)\n";

int Usage(const std::string& msg) {
  if (!msg.empty()) absl::FPrintF(stderr, "ctr-pull: %s\n", msg);
  absl::FPrintF(stderr, "%s", kUsage);
  return 2;
}

}  // namespace

int CtrPullMain(int argc, char** argv) {
  std::vector<std::string> positional;
  std::vector<std::string> command;
  std::string cache_dir = "/var/lib/hull/images";
  PullOptions popts;
  BundleOptions bopts;
  bool quiet = false;
  std::string creds_arg;

  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) -> bool {
      size_t eq = a.find('=');
      if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
        *out = a.substr(eq + 1);
        a = a.substr(0, eq);
        return true;
      }
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string flag = a.substr(0, a.find('='));
    std::string v;
    if (a == "--") {
      for (++i; i < argc; ++i) command.push_back(argv[i]);
      break;
    } else if (a == "-h" || a == "--help") {
      absl::FPrintF(stdout, "%s", kUsage);
      return 0;
    } else if (a == "--version") {
      absl::FPrintF(stdout, "ctr-pull 0.1.0\n");
      return 0;
    } else if (a == "-q" || a == "--quiet") {
      quiet = true;
    } else if (a == "--plain-http") {
      popts.registry.plain_http = true;
    } else if (a == "--insecure") {
      popts.registry.insecure = true;
    } else if (a == "-t" || a == "--tty") {
      bopts.convert.tty = true;
    } else if (a == "--rootless") {
      bopts.rootless = true;
    } else if (flag == "--platform" || flag == "--cache" || flag == "--pull" || flag == "--creds" ||
               flag == "--ca-file" || flag == "--timeout" || flag == "--entrypoint" ||
               flag == "--env" || flag == "-e" || flag == "--workdir" || flag == "-w" ||
               flag == "--user" || flag == "-u") {
      if (!value(&v)) return Usage(absl::StrCat(flag, " needs a value"));
      if (flag == "--platform") {
        absl::StatusOr<spec::Platform> p = ParsePlatform(v);
        if (!p.ok()) return Usage(std::string(p.status().message()));
        popts.platform = *p;
      } else if (flag == "--cache") {
        cache_dir = v;
      } else if (flag == "--pull") {
        absl::StatusOr<PullPolicy> p = ParsePullPolicy(v);
        if (!p.ok()) return Usage(std::string(p.status().message()));
        popts.policy = *p;
      } else if (flag == "--creds") {
        creds_arg = v;
      } else if (flag == "--timeout") {
        long t = 0;
        if (!absl::SimpleAtoi(v, &t) || t <= 0) return Usage("--timeout: want a positive number");
        popts.registry.stall_timeout_sec = t;
        popts.registry.connect_timeout_sec = std::min(popts.registry.connect_timeout_sec, t);
      } else if (flag == "--ca-file") {
        popts.registry.ca_file = v;
      } else if (flag == "--entrypoint") {
        bopts.convert.entrypoint =
            v.empty() ? std::vector<std::string>{} : std::vector<std::string>{v};
      } else if (flag == "--env" || flag == "-e") {
        bopts.convert.env.push_back(v);
      } else if (flag == "--workdir" || flag == "-w") {
        bopts.convert.workdir = v;
      } else {
        bopts.convert.user = v;
      }
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      return Usage(absl::StrCat("unknown option ", a));
    } else {
      positional.push_back(a);
    }
  }
  if (positional.size() != 2) return Usage("need IMAGE and BUNDLE_DIR");
  if (!creds_arg.empty()) {
    absl::StatusOr<Credentials> c = ParseCredentials(creds_arg);
    if (!c.ok()) return Usage(std::string(c.status().message()));
    popts.registry.creds = *c;
  }
  bopts.convert.command = command;

  std::unique_ptr<Progress> progress =
      MakeProgress(quiet ? ProgressMode::kQuiet : ProgressMode::kAuto);
  popts.progress = progress.get();
  auto fail = [](const absl::Status& st) {
    absl::FPrintF(stderr, "ctr-pull: %s\n", st.message());
    return 1;
  };
  absl::StatusOr<BlobCache> cache = BlobCache::Open(cache_dir);
  if (!cache.ok()) return fail(cache.status());
  absl::StatusOr<PulledImage> image = PullImage(positional[0], *cache, popts);
  if (!image.ok()) return fail(image.status());
  absl::Status st = WriteBundle(*cache, *image, positional[1], bopts, progress.get());
  if (!st.ok()) return fail(st);
  progress->Status(absl::StrCat("bundle ", positional[1], " ready: ", image->ref_name, " (",
                                image->manifest_desc.digest, ")"));
  return 0;
}

}  // namespace hull::pull
