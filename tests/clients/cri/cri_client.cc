// cri-client: a minimal Kubernetes CRI v1 client for the client scenarios (tests/clients/cri.sh).
// It plays the kubelet's part for one call per invocation, against containerd's CRI plugin:
//
//   cri-client --socket S [--timeout SEC] COMMAND [flags] [-- argv...]
//
//   version
//   runp    POD-FLAGS --handler H                       prints the sandbox id
//   podstatus ID                                         prints "state=READY ip=..."
//   stopp ID | rmp ID
//   create  --pod ID POD-FLAGS --name N --image I [--env K=V]... [--workdir D]
//           [--mount HOST:CTR[:ro][:rslave|:rshared]]... [--readonly-rootfs] [RESOURCES]
//           [--log-path P] -- argv
//                                                        prints the container id
//   start ID | rm ID | stop ID [--grace SEC]
//   status ID                                            prints "state=RUNNING exit=0 reason=..."
//   exec ID [--exec-timeout SEC] -- argv                 relays stdout/stderr, exits with its code
//   stats ID                                             prints "cpu_ns=N mem_working_set=N ..."
//   update ID RESOURCES
//
//   POD-FLAGS: --pod-name N --pod-uid U --pod-ns NS --cgroup-parent P --log-dir D [--hostnet]
//   RESOURCES: --mem BYTES --cpu-quota N --cpu-period N --cpu-shares N
//
// A failed RPC prints "rpc error: <code>: <message>" on stderr and exits with 100, so a test can
// tell it apart from a command's own exit code.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cri_subset.grpc.pb.h"

namespace {

using runtime::v1::RuntimeService;

constexpr int kRpcFailed = 100;
constexpr int kUsage = 64;

struct Args {
  std::multimap<std::string, std::string> flags;  // --name value; switches map to "1"
  std::vector<std::string> positional;
  std::vector<std::string> argv;  // after "--"

  bool Has(const std::string& k) const { return flags.count(k) > 0; }
  std::string Get(const std::string& k, const std::string& def = "") const {
    auto it = flags.find(k);
    return it == flags.end() ? def : it->second;
  }
  std::vector<std::string> All(const std::string& k) const {
    std::vector<std::string> out;
    auto [b, e] = flags.equal_range(k);
    for (auto it = b; it != e; ++it) out.push_back(it->second);
    return out;
  }
  long long Int(const std::string& k) const { return std::atoll(Get(k, "0").c_str()); }
};

// Flags without a value.
bool IsSwitch(const std::string& name) {
  return name == "hostnet" || name == "readonly-rootfs" || name == "tty";
}

Args Parse(int argc, char** argv, int start) {
  Args a;
  for (int i = start; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--") {
      for (++i; i < argc; ++i) a.argv.push_back(argv[i]);
      break;
    }
    if (s.rfind("--", 0) == 0) {
      std::string name = s.substr(2);
      if (IsSwitch(name)) {
        a.flags.emplace(name, "1");
      } else if (i + 1 < argc) {
        a.flags.emplace(name, argv[++i]);
      } else {
        std::fprintf(stderr, "flag --%s needs a value\n", name.c_str());
        std::exit(kUsage);
      }
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

int RpcFailed(const grpc::Status& st) {
  std::fprintf(stderr, "rpc error: %d: %s\n", static_cast<int>(st.error_code()),
               st.error_message().c_str());
  return kRpcFailed;
}

runtime::v1::PodSandboxConfig PodConfig(const Args& a) {
  runtime::v1::PodSandboxConfig c;
  auto* md = c.mutable_metadata();
  md->set_name(a.Get("pod-name", "hull-pod"));
  md->set_uid(a.Get("pod-uid", "hull-pod-uid"));
  md->set_namespace_(a.Get("pod-ns", "default"));
  md->set_attempt(0);
  c.set_log_directory(a.Get("log-dir"));
  auto* linux = c.mutable_linux();
  linux->set_cgroup_parent(a.Get("cgroup-parent"));
  auto* ns = linux->mutable_security_context()->mutable_namespace_options();
  // What the kubelet sends: pod-wide network and IPC, a PID namespace per container.
  ns->set_network(a.Has("hostnet") ? runtime::v1::NODE : runtime::v1::POD);
  ns->set_pid(runtime::v1::CONTAINER);
  ns->set_ipc(runtime::v1::POD);
  if (!a.Has("hostnet")) c.set_hostname(a.Get("pod-name", "hull-pod"));
  return c;
}

void SetResources(const Args& a, runtime::v1::LinuxContainerResources* r) {
  if (a.Has("mem")) r->set_memory_limit_in_bytes(a.Int("mem"));
  if (a.Has("cpu-quota")) r->set_cpu_quota(a.Int("cpu-quota"));
  if (a.Has("cpu-period")) r->set_cpu_period(a.Int("cpu-period"));
  if (a.Has("cpu-shares")) r->set_cpu_shares(a.Int("cpu-shares"));
}

std::string Positional(const Args& a, const char* what) {
  if (a.positional.empty()) {
    std::fprintf(stderr, "missing %s\n", what);
    std::exit(kUsage);
  }
  return a.positional[0];
}

const char* ContainerStateName(runtime::v1::ContainerState s) {
  switch (s) {
    case runtime::v1::CONTAINER_CREATED:
      return "CREATED";
    case runtime::v1::CONTAINER_RUNNING:
      return "RUNNING";
    case runtime::v1::CONTAINER_EXITED:
      return "EXITED";
    default:
      return "UNKNOWN";
  }
}

int Run(RuntimeService::Stub& stub, const std::string& cmd, const Args& a, int timeout_s) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_s));
  grpc::Status st;

  if (cmd == "version") {
    runtime::v1::VersionRequest req;
    runtime::v1::VersionResponse resp;
    req.set_version("v1");
    st = stub.Version(&ctx, req, &resp);
    if (!st.ok()) return RpcFailed(st);
    std::printf("%s %s %s\n", resp.runtime_name().c_str(), resp.runtime_version().c_str(),
                resp.runtime_api_version().c_str());
    return 0;
  }
  if (cmd == "runp") {
    runtime::v1::RunPodSandboxRequest req;
    runtime::v1::RunPodSandboxResponse resp;
    *req.mutable_config() = PodConfig(a);
    req.set_runtime_handler(a.Get("handler"));
    st = stub.RunPodSandbox(&ctx, req, &resp);
    if (!st.ok()) return RpcFailed(st);
    std::printf("%s\n", resp.pod_sandbox_id().c_str());
    return 0;
  }
  if (cmd == "podstatus") {
    runtime::v1::PodSandboxStatusRequest req;
    runtime::v1::PodSandboxStatusResponse resp;
    req.set_pod_sandbox_id(Positional(a, "sandbox id"));
    st = stub.PodSandboxStatus(&ctx, req, &resp);
    if (!st.ok()) return RpcFailed(st);
    std::printf("state=%s ip=%s\n",
                resp.status().state() == runtime::v1::SANDBOX_READY ? "READY" : "NOTREADY",
                resp.status().network().ip().c_str());
    return 0;
  }
  if (cmd == "stopp" || cmd == "rmp") {
    if (cmd == "stopp") {
      runtime::v1::StopPodSandboxRequest req;
      runtime::v1::StopPodSandboxResponse resp;
      req.set_pod_sandbox_id(Positional(a, "sandbox id"));
      st = stub.StopPodSandbox(&ctx, req, &resp);
    } else {
      runtime::v1::RemovePodSandboxRequest req;
      runtime::v1::RemovePodSandboxResponse resp;
      req.set_pod_sandbox_id(Positional(a, "sandbox id"));
      st = stub.RemovePodSandbox(&ctx, req, &resp);
    }
    return st.ok() ? 0 : RpcFailed(st);
  }
  if (cmd == "create") {
    runtime::v1::CreateContainerRequest req;
    runtime::v1::CreateContainerResponse resp;
    req.set_pod_sandbox_id(a.Get("pod"));
    *req.mutable_sandbox_config() = PodConfig(a);
    auto* c = req.mutable_config();
    c->mutable_metadata()->set_name(a.Get("name", "c"));
    c->mutable_image()->set_image(a.Get("image"));
    for (const auto& s : a.argv) c->add_command(s);
    if (a.Has("workdir")) c->set_working_dir(a.Get("workdir"));
    for (const auto& kv : a.All("env")) {
      auto* e = c->add_envs();
      auto eq = kv.find('=');
      e->set_key(kv.substr(0, eq));
      e->set_value(eq == std::string::npos ? "" : kv.substr(eq + 1));
    }
    // HOST:CTR[:OPT]... with OPT one of ro, rslave (HostToContainer), rshared (Bidirectional).
    for (const auto& m : a.All("mount")) {
      auto* mm = c->add_mounts();
      std::vector<std::string> parts;
      for (size_t pos = 0;;) {
        size_t next = m.find(':', pos);
        parts.push_back(m.substr(pos, next == std::string::npos ? next : next - pos));
        if (next == std::string::npos) break;
        pos = next + 1;
      }
      mm->set_host_path(parts[0]);
      if (parts.size() > 1) mm->set_container_path(parts[1]);
      for (size_t k = 2; k < parts.size(); ++k) {
        if (parts[k] == "ro") mm->set_readonly(true);
        if (parts[k] == "rslave") mm->set_propagation(runtime::v1::PROPAGATION_HOST_TO_CONTAINER);
        if (parts[k] == "rshared") mm->set_propagation(runtime::v1::PROPAGATION_BIDIRECTIONAL);
      }
    }
    c->set_log_path(a.Get("log-path"));
    c->set_tty(a.Has("tty"));
    auto* linux = c->mutable_linux();
    SetResources(a, linux->mutable_resources());
    auto* sc = linux->mutable_security_context();
    sc->set_readonly_rootfs(a.Has("readonly-rootfs"));
    auto* ns = sc->mutable_namespace_options();
    ns->set_network(a.Has("hostnet") ? runtime::v1::NODE : runtime::v1::POD);
    ns->set_pid(runtime::v1::CONTAINER);
    ns->set_ipc(runtime::v1::POD);
    st = stub.CreateContainer(&ctx, req, &resp);
    if (!st.ok()) return RpcFailed(st);
    std::printf("%s\n", resp.container_id().c_str());
    return 0;
  }
  if (cmd == "start") {
    runtime::v1::StartContainerRequest req;
    runtime::v1::StartContainerResponse resp;
    req.set_container_id(Positional(a, "container id"));
    st = stub.StartContainer(&ctx, req, &resp);
    return st.ok() ? 0 : RpcFailed(st);
  }
  if (cmd == "stop") {
    runtime::v1::StopContainerRequest req;
    runtime::v1::StopContainerResponse resp;
    req.set_container_id(Positional(a, "container id"));
    req.set_timeout(a.Int("grace"));
    st = stub.StopContainer(&ctx, req, &resp);
    return st.ok() ? 0 : RpcFailed(st);
  }
  if (cmd == "rm") {
    runtime::v1::RemoveContainerRequest req;
    runtime::v1::RemoveContainerResponse resp;
    req.set_container_id(Positional(a, "container id"));
    st = stub.RemoveContainer(&ctx, req, &resp);
    return st.ok() ? 0 : RpcFailed(st);
  }
  if (cmd == "status") {
    runtime::v1::ContainerStatusRequest req;
    runtime::v1::ContainerStatusResponse resp;
    req.set_container_id(Positional(a, "container id"));
    st = stub.ContainerStatus(&ctx, req, &resp);
    if (!st.ok()) return RpcFailed(st);
    const auto& s = resp.status();
    std::printf("state=%s exit=%d reason=%s message=%s\n", ContainerStateName(s.state()),
                s.exit_code(), s.reason().c_str(), s.message().c_str());
    return 0;
  }
  if (cmd == "exec") {
    runtime::v1::ExecSyncRequest req;
    runtime::v1::ExecSyncResponse resp;
    req.set_container_id(Positional(a, "container id"));
    for (const auto& s : a.argv) req.add_cmd(s);
    req.set_timeout(a.Has("exec-timeout") ? a.Int("exec-timeout") : 0);
    st = stub.ExecSync(&ctx, req, &resp);
    if (!st.ok()) return RpcFailed(st);
    std::fwrite(resp.stdout().data(), 1, resp.stdout().size(), stdout);
    std::fwrite(resp.stderr().data(), 1, resp.stderr().size(), stderr);
    return resp.exit_code();
  }
  if (cmd == "stats") {
    runtime::v1::ContainerStatsRequest req;
    runtime::v1::ContainerStatsResponse resp;
    req.set_container_id(Positional(a, "container id"));
    st = stub.ContainerStats(&ctx, req, &resp);
    if (!st.ok()) return RpcFailed(st);
    const auto& s = resp.stats();
    std::printf("id=%s cpu_ns=%llu mem_working_set=%llu mem_usage=%llu\n",
                s.attributes().id().c_str(),
                static_cast<unsigned long long>(s.cpu().usage_core_nano_seconds().value()),
                static_cast<unsigned long long>(s.memory().working_set_bytes().value()),
                static_cast<unsigned long long>(s.memory().usage_bytes().value()));
    return 0;
  }
  if (cmd == "update") {
    runtime::v1::UpdateContainerResourcesRequest req;
    runtime::v1::UpdateContainerResourcesResponse resp;
    req.set_container_id(Positional(a, "container id"));
    SetResources(a, req.mutable_linux());
    st = stub.UpdateContainerResources(&ctx, req, &resp);
    return st.ok() ? 0 : RpcFailed(st);
  }
  std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
  return kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  std::string socket;
  int timeout_s = 60;
  int i = 1;
  for (; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--socket" && i + 1 < argc) {
      socket = argv[++i];
    } else if (s == "--timeout" && i + 1 < argc) {
      timeout_s = std::atoi(argv[++i]);
    } else {
      break;
    }
  }
  if (socket.empty() || i >= argc) {
    std::fprintf(stderr, "usage: cri-client --socket PATH [--timeout SEC] COMMAND ...\n");
    return kUsage;
  }
  std::string cmd = argv[i];
  Args a = Parse(argc, argv, i + 1);
  auto channel = grpc::CreateChannel("unix://" + socket, grpc::InsecureChannelCredentials());
  auto stub = RuntimeService::NewStub(channel);
  return Run(*stub, cmd, a, timeout_s);
}
