// Validation of config.json, block by block: types, enums, ranges, patterns, absolute paths,
// required fields; and that every error is reported, each with its JSON path.
#include <string>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/config.h"
#include "test_util.h"

namespace hull::spec {
namespace {

using ::hull::spec::testing::Msg;
using ::testing::HasSubstr;

// A config with ociVersion and root; `extra` is spliced in as more top-level members.
std::string Config(const std::string& extra) {
  std::string s = R"({"ociVersion": "1.3.0", "root": {"path": "rootfs"}})";
  if (!extra.empty()) s.insert(s.size() - 1, ", " + extra);
  return s;
}

Spec MustParse(const std::string& text) {
  auto spec = ParseConfig(text);
  EXPECT_TRUE(spec.ok()) << spec.status() << "\n" << text;
  return spec.ok() ? *spec : Spec();
}

// The error text of a config that must be rejected.
std::string ErrorOf(const std::string& text) {
  auto spec = ParseConfig(text);
  EXPECT_FALSE(spec.ok()) << "accepted:\n" << text;
  if (!spec.ok()) {
    EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  }
  return Msg(spec);
}

TEST(ConfigDecode, MinimalConfig) {
  Spec s = MustParse(Config(""));
  EXPECT_EQ(s.oci_version, "1.3.0");
  ASSERT_TRUE(s.root.has_value());
  EXPECT_EQ(s.root->path, "rootfs");
  EXPECT_FALSE(s.root->readonly.has_value());
  EXPECT_FALSE(s.process.has_value());
  EXPECT_FALSE(s.linux.has_value());
}

TEST(ConfigDecode, OciVersionIsRequiredSemVer) {
  EXPECT_EQ(ErrorOf(R"({"root": {"path": "r"}})"), "ociVersion: required field missing");
  EXPECT_THAT(ErrorOf(R"({"ociVersion": "1.0"})"),
              HasSubstr("ociVersion: invalid version \"1.0\""));
  EXPECT_THAT(ErrorOf(R"({"ociVersion": "01.0.0"})"), HasSubstr("ociVersion: invalid version"));
  EXPECT_THAT(ErrorOf(R"({"ociVersion": "1.0.0-"})"), HasSubstr("ociVersion: invalid version"));
  EXPECT_THAT(ErrorOf(R"({"ociVersion": 1})"),
              HasSubstr("ociVersion: expected string, got integer 1"));
  for (const char* v :
       {"1.0.0", "1.0.2-dev", "0.5.0-dev", "2.0.0", "1.3.0-rc.1+build.5", "1.0.0-alpha.0.x-y"}) {
    EXPECT_TRUE(ParseConfig(std::string(R"({"ociVersion": ")") + v + "\"}").ok()) << v;
  }
}

TEST(ConfigDecode, SupportedOciVersionIsAnyOneDotX) {
  Spec s;
  for (const char* ok : {"1.0.0", "1.3.0", "1.9.9-dev"}) {
    s.oci_version = ok;
    EXPECT_TRUE(CheckSupportedOciVersion(s).ok()) << ok;
  }
  for (const char* bad : {"0.5.0-dev", "2.0.0", "10.0.0"}) {
    s.oci_version = bad;
    absl::Status st = CheckSupportedOciVersion(s);
    EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << bad;
    EXPECT_THAT(Msg(st), HasSubstr(bad));
  }
}

TEST(ConfigDecode, TopLevelMustBeAnObject) {
  EXPECT_EQ(ErrorOf("[]"), "(root): expected object, got array");
  EXPECT_THAT(ErrorOf("{"), ::testing::StartsWith("invalid JSON at byte "));
}

TEST(ConfigDecode, EveryErrorIsReportedOnItsOwnLine) {
  std::string msg = ErrorOf(R"({
    "ociVersion": "1.3.0",
    "process": {"cwd": "relative", "args": ["sh"], "user": {"uid": -1}},
    "mounts": [{"destination": "/a"}, {"type": "bind"}, {"destination": 5}],
    "linux": {
      "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "foo"}],
      "resources": {"memory": {"limit": "abc"}}
    }
  })");
  std::vector<std::string> lines = absl::StrSplit(msg, '\n');
  EXPECT_THAT(
      lines,
      ::testing::UnorderedElementsAre(
          "process.user.uid: -1 is out of range for uint32 [0, 4294967295]",
          "process.cwd: must be an absolute path", "mounts[1].destination: required field missing",
          "mounts[2].destination: expected string, got integer 5",
          ::testing::StartsWith("linux.namespaces[2].type: unknown namespace type \"foo\""),
          "linux.resources.memory.limit: expected integer, got string \"abc\""));
}

TEST(ConfigDecode, UnknownFieldsAreIgnored) {
  Spec s = MustParse(Config(R"("futureField": {"x": [1, 2]}, "linux": {"newThing": true})"));
  EXPECT_TRUE(s.linux.has_value());
}

TEST(ConfigDecode, Process) {
  Spec s = MustParse(Config(R"("process": {
      "terminal": true, "consoleSize": {"height": 25, "width": 80},
      "user": {"uid": 1000, "gid": 1001, "umask": 18, "additionalGids": [5, 6], "username": "u"},
      "args": ["sh", "-c", "true"], "env": ["A=1"], "cwd": "/work",
      "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"],
                       "inheritable": [], "permitted": ["CAP_KILL"], "ambient": ["CAP_KILL"]},
      "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 512}],
      "noNewPrivileges": true, "apparmorProfile": "prof", "oomScoreAdj": -17,
      "scheduler": {"policy": "SCHED_FIFO", "priority": 10, "nice": -5,
                    "flags": ["SCHED_FLAG_RESET_ON_FORK"], "runtime": 1, "deadline": 2,
                    "period": 3},
      "selinuxLabel": "system_u:system_r:container_t:s0",
      "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 4},
      "execCPUAffinity": {"initial": "0-3, 7", "final": "1"}})"));
  ASSERT_TRUE(s.process.has_value());
  const Process& p = *s.process;
  EXPECT_EQ(p.terminal, true);
  EXPECT_EQ(p.console_size, (Box{.height = 25, .width = 80}));
  EXPECT_EQ(p.user.uid, 1000u);
  EXPECT_EQ(p.user.gid, 1001u);
  EXPECT_EQ(p.user.umask, 18u);
  EXPECT_EQ(p.user.additional_gids, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(p.cwd, "/work");
  ASSERT_TRUE(p.capabilities.has_value());
  EXPECT_EQ(p.capabilities->ambient, std::vector<std::string>{"CAP_KILL"});
  ASSERT_EQ(p.rlimits.size(), 1u);
  EXPECT_EQ(p.rlimits[0].soft, 512u);
  EXPECT_EQ(p.oom_score_adj, -17);
  ASSERT_TRUE(p.scheduler.has_value());
  EXPECT_EQ(p.scheduler->policy, "SCHED_FIFO");
  EXPECT_EQ(p.scheduler->nice, -5);
  ASSERT_TRUE(p.io_priority.has_value());
  EXPECT_EQ(p.io_priority->class_, "IOPRIO_CLASS_BE");
  EXPECT_EQ(p.io_priority->priority, 4);
  ASSERT_TRUE(p.exec_cpu_affinity.has_value());
  EXPECT_EQ(p.exec_cpu_affinity->initial, "0-3, 7");
}

TEST(ConfigDecode, ProcessErrors) {
  EXPECT_EQ(ErrorOf(Config(R"("process": {"args": ["sh"]})")),
            "process.cwd: required field missing");
  EXPECT_EQ(ErrorOf(Config(R"("process": {"cwd": "/"})")), "process.args: required field missing");
  EXPECT_EQ(ErrorOf(Config(R"("process": {"cwd": "/", "args": []})")),
            "process.args: must have at least one entry");
  EXPECT_EQ(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh", 1]})")),
            "process.args[1]: expected string, got integer 1");
  EXPECT_EQ(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"], "terminal": "yes"})")),
            "process.terminal: expected boolean, got string \"yes\"");
  EXPECT_EQ(
      ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"], "consoleSize": {"width": 1}})")),
      "process.consoleSize.height: required field missing");
  EXPECT_EQ(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"],
                "user": {"uid": 4294967296}})")),
            "process.user.uid: 4294967296 is out of range for uint32 [0, 4294967295]");
  EXPECT_EQ(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"],
                "user": {"additionalGids": [1, 2.5]}})")),
            "process.user.additionalGids[1]: expected integer, got number 2.5");
  EXPECT_EQ(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"],
                "rlimits": [{"type": "NOFILE", "hard": 1, "soft": 1}]})")),
            "process.rlimits[0].type: invalid rlimit type \"NOFILE\"; expected RLIMIT_[A-Z]+");
  EXPECT_EQ(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"],
                "rlimits": [{"type": "RLIMIT_CORE", "hard": -1, "soft": 1}]})")),
            "process.rlimits[0].hard: -1 is out of range for uint64 [0, 18446744073709551615]");
  EXPECT_EQ(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"],
                "rlimits": [{"type": "RLIMIT_CORE"}]})")),
            "process.rlimits[0].soft: required field missing\n"
            "process.rlimits[0].hard: required field missing");
  EXPECT_THAT(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"],
                "scheduler": {"policy": "SCHED_FAST"}})")),
              ::testing::StartsWith(
                  "process.scheduler.policy: unknown scheduler policy \"SCHED_FAST\"; expected "
                  "one of: SCHED_OTHER,"));
  EXPECT_EQ(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"], "scheduler": {}})")),
            "process.scheduler.policy: required field missing");
  EXPECT_EQ(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"],
                "scheduler": {"policy": "SCHED_RR", "nice": 2147483648}})")),
            "process.scheduler.nice: 2147483648 is out of range for int32 [-2147483648, "
            "2147483647]");
  EXPECT_THAT(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"],
                "ioPriority": {"class": "IOPRIO_CLASS_NONE"}})")),
              HasSubstr("process.ioPriority.class: unknown I/O priority class"));
  EXPECT_THAT(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"],
                "execCPUAffinity": {"initial": "0-3;4"}})")),
              HasSubstr("process.execCPUAffinity.initial: invalid CPU list \"0-3;4\""));
  EXPECT_EQ(ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"], "oomScoreAdj": 1.5})")),
            "process.oomScoreAdj: expected integer, got number 1.5");
  EXPECT_EQ(
      ErrorOf(Config(R"("process": {"cwd": "/", "args": ["sh"], "capabilities": ["CAP_KILL"]})")),
      "process.capabilities: expected object, got array");
}

TEST(ConfigDecode, WindowsProcessMayUseCommandLine) {
  Spec s = MustParse(Config(
      R"("process": {"cwd": "C:\\", "commandLine": "cmd.exe"}, "windows": {"layerFolders": ["C:\\l"]})"));
  ASSERT_TRUE(s.process.has_value());
  EXPECT_EQ(s.process->command_line, "cmd.exe");
}

TEST(ConfigDecode, ParseProcessForExec) {
  auto p = ParseProcess(R"({"cwd": "/", "args": ["ls", "-l"], "env": ["X=1"]})");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->args, (std::vector<std::string>{"ls", "-l"}));
  EXPECT_EQ(Msg(ParseProcess(R"({"cwd": "tmp", "args": ["ls"]})")),
            "cwd: must be an absolute path");
  EXPECT_EQ(Msg(ParseProcess(R"({"cwd": "/"})")), "args: required field missing");
}

TEST(ConfigDecode, RootAndHostnames) {
  Spec s = MustParse(R"({"ociVersion": "1.0.0", "root": {"path": "/abs/rootfs", "readonly": true},
                         "hostname": "h", "domainname": "d"})");
  EXPECT_EQ(s.root->readonly, true);
  EXPECT_EQ(s.hostname, "h");
  EXPECT_EQ(s.domainname, "d");
  EXPECT_EQ(ErrorOf(R"({"ociVersion": "1.0.0", "root": {}})"), "root.path: required field missing");
  EXPECT_EQ(ErrorOf(R"({"ociVersion": "1.0.0", "root": {"path": "r", "readonly": 1}})"),
            "root.readonly: expected boolean, got integer 1");
  EXPECT_EQ(ErrorOf(Config(R"("hostname": null)")), "hostname: expected string, got null");
}

TEST(ConfigDecode, Mounts) {
  Spec s = MustParse(Config(R"("mounts": [
      {"destination": "/data", "type": "bind", "source": "/src", "options": ["rbind", "ro"],
       "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
       "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]},
      {"destination": "relative/is/deprecated/but/allowed"}])"));
  ASSERT_EQ(s.mounts.size(), 2u);
  EXPECT_EQ(s.mounts[0].type, "bind");
  EXPECT_EQ(s.mounts[0].options, (std::vector<std::string>{"rbind", "ro"}));
  ASSERT_EQ(s.mounts[0].uid_mappings.size(), 1u);
  EXPECT_EQ(s.mounts[0].uid_mappings[0].host_id, 100000u);
  EXPECT_FALSE(s.mounts[1].type.has_value());

  EXPECT_EQ(ErrorOf(Config(R"("mounts": [{"destination": ""}])")),
            "mounts[0].destination: must not be empty");
  EXPECT_EQ(ErrorOf(Config(R"("mounts": {"destination": "/x"})")),
            "mounts: expected array, got object");
  EXPECT_EQ(ErrorOf(Config(R"("mounts": [{"destination": "/x",
                "uidMappings": [{"containerID": 0, "hostID": 1, "size": 1}]}])")),
            "mounts[0].gidMappings: required when uidMappings is set");
  EXPECT_EQ(ErrorOf(Config(R"("mounts": [{"destination": "/x",
                "uidMappings": [{"containerID": 0, "hostID": 1}],
                "gidMappings": [{"containerID": 0, "hostID": 1, "size": 1}]}])")),
            "mounts[0].uidMappings[0].size: required field missing");
}

TEST(ConfigDecode, Hooks) {
  Spec s = MustParse(Config(R"("hooks": {
      "prestart": [{"path": "/bin/a"}], "createRuntime": [{"path": "/bin/b", "args": ["b", "1"]}],
      "createContainer": [{"path": "/bin/c", "env": ["E=1"]}], "startContainer": [{"path": "/bin/d"}],
      "poststart": [{"path": "/bin/e", "timeout": 3}], "poststop": [{"path": "/bin/f"}]})"));
  ASSERT_TRUE(s.hooks.has_value());
  EXPECT_EQ(s.hooks->prestart[0].path, "/bin/a");
  EXPECT_EQ(s.hooks->create_runtime[0].args, (std::vector<std::string>{"b", "1"}));
  EXPECT_EQ(s.hooks->create_container[0].env, std::vector<std::string>{"E=1"});
  EXPECT_EQ(s.hooks->start_container[0].path, "/bin/d");
  EXPECT_EQ(s.hooks->poststart[0].timeout, 3);
  EXPECT_EQ(s.hooks->poststop[0].path, "/bin/f");

  EXPECT_EQ(ErrorOf(Config(R"("hooks": {"poststop": [{"path": "bin/f"}]})")),
            "hooks.poststop[0].path: must be an absolute path");
  EXPECT_EQ(ErrorOf(Config(R"("hooks": {"createRuntime": [{"path": "/x", "timeout": 0}]})")),
            "hooks.createRuntime[0].timeout: must be at least 1 second, got 0");
  EXPECT_EQ(ErrorOf(Config(R"("hooks": {"startContainer": [{"args": []}]})")),
            "hooks.startContainer[0].path: required field missing");
}

TEST(ConfigDecode, Annotations) {
  Spec s = MustParse(Config(R"("annotations": {"org.example.key": "v", "b": ""})"));
  EXPECT_EQ(s.annotations.at("org.example.key"), "v");
  EXPECT_EQ(ErrorOf(Config(R"("annotations": {"a.b": 1})")),
            "annotations[\"a.b\"]: expected string, got integer 1");
  EXPECT_EQ(ErrorOf(Config(R"("annotations": {"": "x"})")),
            "annotations[\"\"]: key must not be empty");
}

TEST(ConfigDecode, LinuxNamespacesAndMappings) {
  std::string msg = ErrorOf(Config(R"("linux": {"rootfsPropagation": "rsideways"})"));
  EXPECT_THAT(msg, ::testing::StartsWith(
                       "linux.rootfsPropagation: unknown rootfs propagation \"rsideways\""));
  // containerd's CRI (HostToContainer) and podman send the recursive forms, as runc accepts.
  EXPECT_TRUE(ParseConfig(Config(R"("linux": {"rootfsPropagation": "rslave"})")).ok());

  Spec ok = MustParse(Config(R"("linux": {
      "namespaces": [{"type": "pid"}, {"type": "network", "path": "/var/run/netns/x"},
                     {"type": "time"}],
      "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
      "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
      "timeOffsets": {"monotonic": {"secs": -172800, "nanosecs": 5}, "boottime": {"secs": 1}},
      "cgroupsPath": "/hull/x", "rootfsPropagation": "slave"})"));
  ASSERT_TRUE(ok.linux.has_value());
  const Linux& l = *ok.linux;
  ASSERT_EQ(l.namespaces.size(), 3u);
  EXPECT_EQ(l.namespaces[1].path, "/var/run/netns/x");
  EXPECT_EQ(l.uid_mappings[0].host_id, 1000u);
  EXPECT_EQ(l.time_offsets.at("monotonic").secs, -172800);
  EXPECT_EQ(l.time_offsets.at("monotonic").nanosecs, 5u);
  EXPECT_FALSE(l.time_offsets.at("boottime").nanosecs.has_value());
  EXPECT_EQ(l.cgroups_path, "/hull/x");
  EXPECT_EQ(l.rootfs_propagation, "slave");

  EXPECT_THAT(ErrorOf(Config(R"("linux": {"namespaces": [{"type": "foo"}]})")),
              ::testing::StartsWith("linux.namespaces[0].type: unknown namespace type \"foo\"; "
                                    "expected one of: mount, pid, network"));
  EXPECT_EQ(
      ErrorOf(Config(R"("linux": {"namespaces": [{"type": "pid", "path": "proc/1/ns/pid"}]})")),
      "linux.namespaces[0].path: must be an absolute path");
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"namespaces": [{"path": "/x"}]})")),
            "linux.namespaces[0].type: required field missing");
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"namespaces": [{"type": "pid"}, {"type": "pid"}]})")),
            "linux.namespaces[1].type: duplicate namespace type \"pid\"");
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"timeOffsets": {"monotonic": {"nanosecs": -1}}})")),
            "linux.timeOffsets.monotonic.nanosecs: -1 is out of range for uint32 [0, 4294967295]");
  EXPECT_EQ(ErrorOf(Config(
                R"("linux": {"uidMappings": [{"containerID": 0, "hostID": 0, "size": "1"}]})")),
            "linux.uidMappings[0].size: expected integer, got string \"1\"");
}

TEST(ConfigDecode, LinuxDevices) {
  Spec s = MustParse(Config(R"("linux": {"devices": [
      {"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438, "uid": 0, "gid": 0},
      {"path": "/dev/fifo", "type": "p"}]})"));
  ASSERT_EQ(s.linux->devices.size(), 2u);
  EXPECT_EQ(s.linux->devices[0].major, 10);
  EXPECT_EQ(s.linux->devices[0].file_mode, 438u);
  EXPECT_EQ(s.linux->devices[1].major, 0);

  EXPECT_THAT(
      ErrorOf(Config(
          R"("linux": {"devices": [{"path": "/dev/x", "type": "x", "major": 1, "minor": 1}]})")),
      ::testing::StartsWith("linux.devices[0].type: unknown device type \"x\""));
  EXPECT_EQ(
      ErrorOf(Config(
          R"("linux": {"devices": [{"path": "dev/x", "type": "c", "major": 1, "minor": 1}]})")),
      "linux.devices[0].path: must be an absolute path");
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"devices": [{"path": "/dev/x", "type": "b"}]})")),
            "linux.devices[0].major: required field missing\n"
            "linux.devices[0].minor: required field missing");
  EXPECT_EQ(ErrorOf(Config(
                R"("linux": {"devices": [{"path": "/dev/x", "type": "p", "fileMode": 65536}]})")),
            "linux.devices[0].fileMode: 65536 is out of range for a file mode [0, 65535]");
  // podman sends the type bits too (S_IFCHR | 0666), as runc accepts.
  auto podman = ParseConfig(Config(
      R"("linux": {"devices": [{"path": "/dev/x", "type": "c", "major": 1, "minor": 5, "fileMode": 8630}]})"));
  ASSERT_TRUE(podman.ok()) << podman.status();
  EXPECT_EQ(podman->linux->devices[0].file_mode, 8630u);
}

TEST(ConfigDecode, LinuxResources) {
  Spec s = MustParse(Config(R"("linux": {"resources": {
      "devices": [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rw"}],
      "memory": {"limit": 536870912, "reservation": 1, "swap": -1, "kernel": -1, "kernelTCP": -1,
                 "swappiness": 0, "disableOOMKiller": true, "useHierarchy": false, "checkBeforeUpdate": true},
      "cpu": {"shares": 1024, "quota": -1, "burst": 1, "period": 100000, "realtimeRuntime": -5,
              "realtimePeriod": 6, "cpus": "0-1", "mems": "0", "idle": 1},
      "pids": {"limit": -1},
      "blockIO": {"weight": 10, "leafWeight": 20,
                  "weightDevice": [{"major": 8, "minor": 0, "weight": 500}],
                  "throttleReadBpsDevice": [{"major": 8, "minor": 0, "rate": 600}],
                  "throttleWriteBpsDevice": [{"major": 8, "minor": 0, "rate": 601}],
                  "throttleReadIOPSDevice": [{"major": 8, "minor": 0, "rate": 602}],
                  "throttleWriteIOPSDevice": [{"major": 8, "minor": 0, "rate": 603}]},
      "hugepageLimits": [{"pageSize": "2MB", "limit": 18446744073709551615}],
      "network": {"classID": 1048577, "priorities": [{"name": "eth0", "priority": 500}]},
      "rdma": {"mlx5_1": {"hcaHandles": 3}},
      "unified": {"memory.high": "1G"}}})"));
  const LinuxResources& r = *s.linux->resources;
  ASSERT_EQ(r.devices.size(), 2u);
  EXPECT_FALSE(r.devices[0].allow);
  EXPECT_FALSE(r.devices[0].major.has_value());
  EXPECT_EQ(r.devices[1].minor, 3);
  EXPECT_EQ(r.memory->limit, 536870912);
  EXPECT_EQ(r.memory->swap, -1);
  EXPECT_EQ(r.memory->check_before_update, true);
  EXPECT_EQ(r.cpu->quota, -1);
  EXPECT_EQ(r.cpu->realtime_runtime, -5);
  EXPECT_EQ(r.cpu->idle, 1);
  EXPECT_EQ(r.pids->limit, -1);
  EXPECT_EQ(r.block_io->leaf_weight, 20);
  EXPECT_EQ(r.block_io->throttle_write_iops_device[0].rate, 603u);
  EXPECT_EQ(r.hugepage_limits[0].limit, UINT64_MAX);
  EXPECT_EQ(r.network->class_id, 1048577u);
  EXPECT_EQ(r.rdma.at("mlx5_1").hca_handles, 3u);
  EXPECT_FALSE(r.rdma.at("mlx5_1").hca_objects.has_value());
  EXPECT_EQ(r.unified.at("memory.high"), "1G");

  EXPECT_EQ(ErrorOf(Config(R"("linux": {"resources": {"memory": {"limit": "abc"}}})")),
            "linux.resources.memory.limit: expected integer, got string \"abc\"");
  EXPECT_EQ(
      ErrorOf(Config(R"("linux": {"resources": {"memory": {"limit": 9223372036854775808}}})")),
      "linux.resources.memory.limit: 9223372036854775808 is out of range for int64 "
      "[-9223372036854775808, 9223372036854775807]");
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"resources": {"cpu": {"shares": -2}}})")),
            "linux.resources.cpu.shares: -2 is out of range for uint64 [0, 18446744073709551615]");
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"resources": {"blockIO": {"weight": 65536}}})")),
            "linux.resources.blockIO.weight: 65536 is out of range for uint16 [0, 65535]");
  EXPECT_EQ(
      ErrorOf(Config(R"("linux": {"resources": {"blockIO": {"weightDevice": [{"major": 8}]}}})")),
      "linux.resources.blockIO.weightDevice[0].minor: required field missing");
  EXPECT_EQ(
      ErrorOf(Config(
          R"("linux": {"resources": {"blockIO": {"throttleReadBpsDevice": [{"major": 8, "minor": 0}]}}})")),
      "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required field missing");
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"resources": {"devices": [{"access": "rwm"}]}})")),
            "linux.resources.devices[0].allow: required field missing");
  EXPECT_THAT(
      ErrorOf(Config(R"("linux": {"resources": {"devices": [{"allow": true, "access": "rwx"}]}})")),
      ::testing::StartsWith("linux.resources.devices[0].access: invalid access \"rwx\""));
  EXPECT_THAT(
      ErrorOf(Config(R"("linux": {"resources": {"devices": [{"allow": true, "type": "p"}]}})")),
      ::testing::StartsWith("linux.resources.devices[0].type: unknown device cgroup type"));
  EXPECT_THAT(
      ErrorOf(Config(
          R"("linux": {"resources": {"hugepageLimits": [{"pageSize": "2mb", "limit": 1}]}})")),
      ::testing::StartsWith("linux.resources.hugepageLimits[0].pageSize: invalid page size"));
  EXPECT_THAT(
      ErrorOf(Config(
          R"("linux": {"resources": {"hugepageLimits": [{"pageSize": "02MB", "limit": 1}]}})")),
      HasSubstr("invalid page size \"02MB\""));
  EXPECT_EQ(
      ErrorOf(Config(R"("linux": {"resources": {"network": {"priorities": [{"name": "eth0"}]}}})")),
      "linux.resources.network.priorities[0].priority: required field missing");
  EXPECT_EQ(
      ErrorOf(Config(R"("linux": {"resources": {"rdma": {"mlx": {"hcaObjects": 4294967296}}}})")),
      "linux.resources.rdma.mlx.hcaObjects: 4294967296 is out of range for uint32 [0, 4294967295]");
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"resources": {"unified": {"cpu.max": 5}}})")),
            "linux.resources.unified[\"cpu.max\"]: expected string, got integer 5");
}

TEST(ConfigDecode, LinuxSeccomp) {
  Spec s = MustParse(Config(R"("linux": {"seccomp": {
      "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
      "flags": ["SECCOMP_FILTER_FLAG_LOG"],
      "listenerPath": "/run/seccomp.sock", "listenerMetadata": "meta",
      "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                   {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38,
                    "args": [{"index": 0, "value": 18446744073709551615, "valueTwo": 0,
                              "op": "SCMP_CMP_MASKED_EQ"}]}]}})"));
  const LinuxSeccomp& sc = *s.linux->seccomp;
  EXPECT_EQ(sc.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(sc.default_errno_ret, 1u);
  EXPECT_EQ(sc.architectures.size(), 2u);
  EXPECT_EQ(sc.listener_path, "/run/seccomp.sock");
  EXPECT_EQ(sc.listener_metadata, "meta");
  ASSERT_EQ(sc.syscalls.size(), 2u);
  EXPECT_EQ(sc.syscalls[1].errno_ret, 38u);
  EXPECT_EQ(sc.syscalls[1].args[0].value, UINT64_MAX);
  EXPECT_EQ(sc.syscalls[1].args[0].value_two, 0u);
  EXPECT_EQ(sc.syscalls[1].args[0].op, "SCMP_CMP_MASKED_EQ");

  EXPECT_EQ(ErrorOf(Config(R"("linux": {"seccomp": {}})")),
            "linux.seccomp.defaultAction: required field missing");
  EXPECT_THAT(ErrorOf(Config(R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_DENY"}})")),
              ::testing::StartsWith(
                  "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_DENY\""));
  EXPECT_THAT(
      ErrorOf(Config(
          R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "amd64"]}})")),
      ::testing::StartsWith(
          "linux.seccomp.architectures[1]: unknown seccomp architecture \"amd64\""));
  EXPECT_THAT(
      ErrorOf(Config(
          R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "flags": ["TSYNC"]}})")),
      ::testing::StartsWith("linux.seccomp.flags[0]: unknown seccomp flag \"TSYNC\""));
  EXPECT_EQ(
      ErrorOf(Config(
          R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "x"}})")),
      "linux.seccomp.listenerMetadata: must not be set without listenerPath");
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": [], "action": "SCMP_ACT_ALLOW"}]}})")),
            "linux.seccomp.syscalls[0].names: must have at least one entry");
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["read"]}]}})")),
            "linux.seccomp.syscalls[0].action: required field missing");
  EXPECT_THAT(
      ErrorOf(Config(R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                              "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_XX"}]}]}})")),
      ::testing::StartsWith(
          "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_XX\""));
  EXPECT_EQ(
      ErrorOf(Config(R"("linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
                "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
                              "args": [{"index": -1, "op": "SCMP_CMP_EQ"}]}]}})")),
      "linux.seccomp.syscalls[0].args[0].index: -1 is out of range for uint32 [0, 4294967295]\n"
      "linux.seccomp.syscalls[0].args[0].value: required field missing");
}

TEST(ConfigDecode, LinuxMiscellaneous) {
  Spec s = MustParse(Config(R"("linux": {
      "sysctl": {"net.ipv4.ip_forward": "1"}, "maskedPaths": ["/proc/kcore"],
      "readonlyPaths": ["/proc/sys"], "mountLabel": "label",
      "intelRdt": {"closID": "c", "schemata": ["L3:0=f"], "l3CacheSchema": "L3:0=ff",
                   "memBwSchema": "MB:0=70", "enableMonitoring": true},
      "personality": {"domain": "LINUX32", "flags": []},
      "memoryPolicy": {"mode": "MPOL_BIND", "nodes": "0-1", "flags": ["MPOL_F_STATIC_NODES"]},
      "netDevices": {"eth1": {"name": "ceth1"}, "eth2": {}}})"));
  const Linux& l = *s.linux;
  EXPECT_EQ(l.sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(l.masked_paths, std::vector<std::string>{"/proc/kcore"});
  EXPECT_EQ(l.readonly_paths, std::vector<std::string>{"/proc/sys"});
  EXPECT_EQ(l.mount_label, "label");
  EXPECT_EQ(l.intel_rdt->clos_id, "c");
  EXPECT_EQ(l.intel_rdt->schemata, std::vector<std::string>{"L3:0=f"});
  EXPECT_EQ(l.intel_rdt->enable_monitoring, true);
  EXPECT_EQ(l.personality->domain, "LINUX32");
  EXPECT_EQ(l.memory_policy->mode, "MPOL_BIND");
  EXPECT_EQ(l.memory_policy->nodes, "0-1");
  EXPECT_EQ(l.net_devices.at("eth1").name, "ceth1");
  EXPECT_FALSE(l.net_devices.at("eth2").name.has_value());

  EXPECT_EQ(ErrorOf(Config(R"("linux": {"sysctl": {"kernel.shmmax": 1}})")),
            "linux.sysctl[\"kernel.shmmax\"]: expected string, got integer 1");
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"maskedPaths": "/proc/kcore"})")),
            "linux.maskedPaths: expected array, got string \"/proc/kcore\"");
  EXPECT_THAT(ErrorOf(Config(R"("linux": {"intelRdt": {"memBwSchema": "L3:0=1"}})")),
              ::testing::StartsWith("linux.intelRdt.memBwSchema: invalid schema \"L3:0=1\""));
  EXPECT_THAT(ErrorOf(Config(R"("linux": {"intelRdt": {"memBwSchema": "MB:0=1\nMB:1=2"}})")),
              ::testing::StartsWith("linux.intelRdt.memBwSchema: invalid schema"));
  EXPECT_THAT(ErrorOf(Config(R"("linux": {"personality": {"domain": "LINUX64"}})")),
              ::testing::StartsWith("linux.personality.domain: unknown personality domain"));
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"personality": {}})")),
            "linux.personality.domain: required field missing");
  EXPECT_THAT(
      ErrorOf(Config(R"("linux": {"memoryPolicy": {"mode": "MPOL_BIND", "flags": ["MPOL_F_X"]}})")),
      ::testing::StartsWith("linux.memoryPolicy.flags[0]: unknown memory policy flag"));
  EXPECT_EQ(ErrorOf(Config(R"("linux": {"netDevices": {"eth0": "x"}})")),
            "linux.netDevices.eth0: expected object, got string \"x\"");
  EXPECT_EQ(ErrorOf(Config(R"("linux": [])")), "linux: expected object, got array");
}

TEST(ConfigDecode, NonLinuxBlocksAreKeptAndCheckedLoosely) {
  Spec s = MustParse(Config(R"("solaris": {"milestone": "m", "anet": [{"linkname": "l"}]},
      "vm": {"kernel": {"path": "/k"}, "hwConfig": {"vcpus": 2}},
      "zos": {"namespaces": [{"type": "pid"}]}, "freebsd": {"jail": {"vnet": "new"}},
      "windows": {"layerFolders": ["C:\\a"], "resources": {"cpu": {"shares": 2}}})"));
  ASSERT_TRUE(s.vm.has_value());
  EXPECT_EQ(s.vm->Find("kernel")->Find("path")->as_string(), "/k");
  ASSERT_TRUE(s.solaris.has_value());
  ASSERT_TRUE(s.windows.has_value());

  EXPECT_EQ(ErrorOf(Config(R"("vm": {})")), "vm.kernel: required field missing");
  EXPECT_THAT(ErrorOf(Config(
                  R"("vm": {"kernel": {"path": "/k"}, "image": {"path": "/i", "format": "iso"}})")),
              ::testing::StartsWith("vm.image.format: unknown value \"iso\""));
  EXPECT_EQ(ErrorOf(Config(R"("windows": {"layerFolders": []})")),
            "windows.layerFolders: must have at least 1 entries");
  EXPECT_EQ(ErrorOf(Config(
                R"("windows": {"layerFolders": ["a"], "resources": {"cpu": {"shares": 70000}}})")),
            "windows.resources.cpu.shares: 70000 is out of range for uint16 [0, 65535]");
  EXPECT_THAT(ErrorOf(Config(R"("zos": {"namespaces": [{"type": "network"}]})")),
              ::testing::StartsWith("zos.namespaces[0].type: unknown value \"network\""));
  EXPECT_EQ(ErrorOf(Config(R"("solaris": {"cappedCPU": {"ncpus": 4}})")),
            "solaris.cappedCPU.ncpus: expected string, got integer 4");
  EXPECT_EQ(ErrorOf(Config(R"("freebsd": {"jail": {"enforceStatfs": 256}})")),
            "freebsd.jail.enforceStatfs: 256 is out of range for uint8 [0, 255]");
  EXPECT_EQ(ErrorOf(Config(R"("freebsd": 1)")), "freebsd: expected object, got integer 1");
}

TEST(ConfigDecode, DeepNestingIsRejected) {
  std::string deep = Config(R"("annotations": )" + std::string(300, '[') + std::string(300, ']'));
  EXPECT_THAT(ErrorOf(deep), HasSubstr("nesting deeper than 256"));
  // Deep nesting inside an ignored field is still rejected by the parser.
  std::string ignored = Config(R"("x": )" + std::string(1000, '[') + std::string(1000, ']'));
  EXPECT_THAT(ErrorOf(ignored), ::testing::StartsWith("invalid JSON at byte "));
}

TEST(ConfigDecode, NonUtf8IsRejected) {
  EXPECT_THAT(ErrorOf(Config("\"hostname\": \"h\xff\"")),
              ::testing::StartsWith("invalid JSON at byte "));
  EXPECT_THAT(ErrorOf(Config("\"annotations\": {\"k\xc3\": \"v\"}")),
              ::testing::StartsWith("invalid JSON at byte "));
}

TEST(ConfigDecode, LongStringsAreTruncatedInMessages) {
  std::string msg = ErrorOf(Config(R"("linux": {"resources": {"memory": {"limit": ")" +
                                   std::string(1000, 'x') + "\"}}}"));
  EXPECT_LT(msg.size(), 200u);
  EXPECT_THAT(msg, HasSubstr("xxx\"..."));
}

}  // namespace
}  // namespace hull::spec
