// The hull binary's ELF entry point (x86-64; linked with -e hull_entry): the CVE-2019-5736
// re-exec (see exe_protect.h) done before the C library starts.
//
// Why before: the commands that start container processes always re-execute hull from a
// read-only bind of itself, so the first image's only job is that execveat. Letting glibc start
// it first costs ~0.2 ms per container on a VM (its CPU feature and cache probing executes
// dozens of CPUID instructions, each a VM exit, plus the page faults of its start-up), which is
// about 4% of a whole `hull run`. Here the first image runs a few raw system calls and hands
// over; glibc starts once, in the read-only image.
//
// Constraints of code that runs before libc: no libc calls (not even errno), no TLS, so no
// stack protector and no sanitizer instrumentation, only what the compiler inlines. When
// anything fails, hull_entry falls through to the normal start (_start), and main() carries on
// from the writable binary exactly as ReexecFromReadOnlyBinary would.
#if defined(__x86_64__)

#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "runtime/linux/netns_ahead.h"
#include "runtime/linux/raw_syscall.h"

#define HULL_PRE_LIBC HULL_NO_INSTRUMENTATION __attribute__((always_inline)) inline

// clone(CLONE_VM | SIGCHLD) onto `stack_top` (16-byte aligned) where the child runs fn(arg) and
// exits; returns the child's pid, or -errno. Glibc's clone() in a few instructions: the child
// must not return into our frames, which live on the other stack.
extern "C" long hull_clone_vm(char* stack_top, void (*fn)(long), long arg);

namespace {

using hull::linux::raw::Arg;
using hull::linux::raw::Syscall;

HULL_PRE_LIBC bool SameString(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

// `s` without `prefix`, or nullptr when it does not start with it.
HULL_PRE_LIBC const char* AfterPrefix(const char* s, const char* prefix) {
  while (*prefix != '\0' && *s == *prefix) {
    ++s;
    ++prefix;
  }
  return *prefix == '\0' ? s : nullptr;
}

// What the network namespace helper needs (netns_ahead.h), static: the first image has no heap,
// and its stack is the one the kernel gave it.
constexpr long kConfigMax = 1 << 18;  // a config beyond this is only partly scanned: no helper
char g_config[kConfigMax];
char g_config_path[4096 + sizeof "/config.json"];
constexpr long kEnvMax = 4096;
char* g_envp[kEnvMax + 2];
char g_env_entry[sizeof "HULL_NETNS_AHEAD=" + 2 * 12];
// The helper's stack: it shares our memory (CLONE_VM), which makes it ~0.15 ms cheaper to start
// than a fork copying our page tables.
alignas(16) char g_helper_stack[16 * 1024];

// The bundle of `create`/`run` (argv after the command): -b/--bundle/-bundle, with the value
// next or after '='; "" for the current directory.
HULL_PRE_LIBC const char* BundleArg(long argc, char** argv, long command) {
  const char* bundle = "";
  for (long i = command + 1; i < argc; ++i) {
    const char* a = argv[i];
    if (SameString(a, "--")) break;
    if (SameString(a, "-b") || SameString(a, "--bundle") || SameString(a, "-bundle")) {
      if (i + 1 < argc) bundle = argv[++i];
      continue;
    }
    const char* v = AfterPrefix(a, "-b=");
    if (v == nullptr) v = AfterPrefix(a, "--bundle=");
    if (v == nullptr) v = AfterPrefix(a, "-bundle=");
    if (v != nullptr) bundle = v;
  }
  return bundle;
}

// Reads <bundle>/config.json (a regular file only: a FIFO must not be consumed here) into
// g_config; its length, or -1.
HULL_PRE_LIBC long ReadConfig(const char* bundle) {
  long n = 0;
  for (const char* b = bundle; *b != '\0'; ++b) {
    if (n >= static_cast<long>(sizeof g_config_path) - 16) return -1;
    g_config_path[n++] = *b;
  }
  if (n > 0) g_config_path[n++] = '/';
  for (const char* f = "config.json"; *f != '\0'; ++f) g_config_path[n++] = *f;
  g_config_path[n] = '\0';
  struct stat st;
  st.st_mode = 0;  // the compiler cannot see the kernel write it
  if (Syscall(SYS_newfstatat, AT_FDCWD, Arg(g_config_path), Arg(&st), 0) != 0 ||
      !S_ISREG(st.st_mode)) {
    return -1;
  }
  long fd = Syscall(SYS_openat, AT_FDCWD, Arg(g_config_path),
                    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return -1;
  long len = 0;
  while (len < kConfigMax) {
    long r = Syscall(SYS_read, fd, Arg(g_config + len), kConfigMax - len);
    if (r <= 0) break;
    len += r;
  }
  Syscall(SYS_close, fd);
  return len;
}

// The helper: creates the network namespace and sends its fd to `socket`'s peer, then returns
// (and so exits, see hull_clone_vm). On failure it just returns; the init then sees the end of
// file and creates the namespace itself. It shares our memory until we re-execute: it touches
// only its own stack.
extern "C" HULL_NO_INSTRUMENTATION __attribute__((noinline, used)) void hull_netns_helper(
    long socket) {
  if (Syscall(SYS_unshare, CLONE_NEWNET) == 0) {
    static const char kOwnNetns[] = "/proc/self/ns/net";
    long ns = Syscall(SYS_openat, AT_FDCWD, Arg(kOwnNetns), O_RDONLY | O_CLOEXEC);
    if (ns >= 0) {
      char byte = 'N';
      struct iovec iov;
      iov.iov_base = &byte;
      iov.iov_len = 1;
      union {
        struct cmsghdr header;
        char bytes[CMSG_SPACE(sizeof(int))];
      } control;
      control.header.cmsg_len = CMSG_LEN(sizeof(int));
      control.header.cmsg_level = SOL_SOCKET;
      control.header.cmsg_type = SCM_RIGHTS;
      *reinterpret_cast<int*>(CMSG_DATA(&control.header)) = static_cast<int>(ns);
      struct msghdr msg;
      msg.msg_name = nullptr;
      msg.msg_namelen = 0;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.bytes;
      msg.msg_controllen = sizeof control.bytes;
      msg.msg_flags = 0;
      Syscall(SYS_sendmsg, socket, Arg(&msg), MSG_NOSIGNAL);
    }
  }
}

// Writes `v` in decimal at `out`; returns the end.
HULL_PRE_LIBC char* PutDecimal(char* out, long v) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (n > 0) *out++ = digits[--n];
  return out;
}

// Is `entry` HULL_NETNS_AHEAD=...?
HULL_PRE_LIBC bool IsNetnsAheadEntry(const char* entry) {
  const char* rest = AfterPrefix(entry, hull::linux::kNetnsAheadEnv);
  return rest != nullptr && *rest == '=';
}

// For `create` and `run` whose config asks for a new network namespace (and no user
// namespace): starts the helper. Returns the environment for the re-exec: `envp` plus
// HULL_NETNS_AHEAD, "<socket>,<pid>" or "-" for no helper. `envp` as it is when not one of those
// commands, when it is too large to copy, or when it already has HULL_NETNS_AHEAD: then the
// image that re-executed us has decided.
HULL_PRE_LIBC char** StartNetnsHelper(long argc, char** argv, char** envp) {
  long command = 0;
  for (long i = 1; i < argc && command == 0; ++i) {
    if (SameString(argv[i], "create") || SameString(argv[i], "run")) command = i;
  }
  if (command == 0) return envp;
  long n_env = 0;
  for (char** e = envp; *e != nullptr; ++e) {
    if (IsNetnsAheadEntry(*e) || n_env == kEnvMax) return envp;
    g_envp[n_env++] = *e;
  }
  g_envp[n_env] = g_env_entry;
  g_envp[n_env + 1] = nullptr;
  char* value = g_env_entry;
  for (const char* p = hull::linux::kNetnsAheadEnv; *p != '\0'; ++p) *value++ = *p;
  *value++ = '=';
  value[0] = '-';  // no helper, until one runs
  value[1] = '\0';
  long len = ReadConfig(BundleArg(argc, argv, command));
  if (len <= 0 || len >= kConfigMax ||
      !hull::linux::netns_scan::WantsNewNetnsWithoutUserns(g_config, len)) {
    return g_envp;
  }
  // Not dumpable (the flag belongs to the memory the helper shares, so it covers this image
  // too): the helper runs the writable binary, and no other process may open its
  // /proc/<pid>/exe (CVE-2019-5736). The re-executed image starts dumpable again, from the
  // read-only bind.
  Syscall(SYS_prctl, PR_SET_DUMPABLE, 0);
  int sv[2];
  if (Syscall(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, Arg(sv)) != 0) {
    return g_envp;
  }
  // With a standard fd missing (closed by the caller), the socket would take its number.
  long pid = sv[0] >= 3 && sv[1] >= 3
                 ? hull_clone_vm(g_helper_stack + sizeof g_helper_stack, hull_netns_helper, sv[1])
                 : -1;
  Syscall(SYS_close, sv[1]);
  if (pid < 0) {
    Syscall(SYS_close, sv[0]);
    return g_envp;
  }
  hull_netns_ahead_socket = sv[0];
  hull_netns_ahead_pid = static_cast<int>(pid);
  value = PutDecimal(value, sv[0]);
  *value++ = ',';
  value = PutDecimal(value, pid);
  *value = '\0';
  return g_envp;
}

}  // namespace

// sp: the process's initial stack (argc, argv..., NULL, envp..., NULL). Returns only when hull
// should start normally.
extern "C" HULL_NO_INSTRUMENTATION __attribute__((used, noinline)) void hull_early_reexec(
    long* sp) {
  const long argc = sp[0];
  char** argv = reinterpret_cast<char**>(sp + 1);
  char** envp = argv + argc + 1;
  // The same test as main(): create, run and exec put processes into containers.
  bool starts_container_processes = false;
  for (long i = 1; i < argc && !starts_container_processes; ++i) {
    starts_container_processes =
        SameString(argv[i], "create") || SameString(argv[i], "run") || SameString(argv[i], "exec");
  }
  if (!starts_container_processes) return;

  static const char kSelfExe[] = "/proc/self/exe";
  static const char kEmpty[] = "";
  long mnt = -1;
  long exe = Syscall(SYS_open, Arg(kSelfExe), O_PATH | O_CLOEXEC);
  struct statfs sfs;
  sfs.f_flags = 0;
  long r = exe >= 0 ? Syscall(SYS_fstatfs, exe, Arg(&sfs)) : -1;
  if (exe >= 0) Syscall(SYS_close, exe);
  if (r != 0 || !(sfs.f_flags & ST_RDONLY)) {  // not already read-only
    mnt = Syscall(SYS_open_tree, AT_FDCWD, Arg(kSelfExe), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    struct mount_attr attr = {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (mnt >= 0 &&
        Syscall(SYS_mount_setattr, mnt, Arg(kEmpty), AT_EMPTY_PATH, Arg(&attr), sizeof attr) != 0) {
      Syscall(SYS_close, mnt);
      mnt = -1;
    }
  }
  // The network namespace helper (netns_ahead.h), started by the first image only: the one we
  // re-execute finds HULL_NETNS_AHEAD already set (to the helper, or to "-" for none). Started
  // after open_tree on purpose: its copy of `mnt` is then the last one, so the RCU grace period
  // that dissolving the detached mount waits for is spent by the helper's exit, not by our
  // execveat.
  char** exec_envp = StartNetnsHelper(argc, argv, envp);
  if (mnt < 0) return;  // read-only already, or no way to make it so: start normally
  // The helper's socket crosses the re-exec; the new image sets FD_CLOEXEC on it again.
  if (hull_netns_ahead_socket >= 0) Syscall(SYS_fcntl, hull_netns_ahead_socket, F_SETFD, 0);
  Syscall(SYS_execveat, mnt, Arg(kEmpty), Arg(argv), Arg(exec_envp), AT_EMPTY_PATH);
  Syscall(SYS_close, mnt);  // execveat failed: start normally from the writable binary
}

__asm__(R"(
  .text
  .globl hull_clone_vm
  .type hull_clone_vm, @function
hull_clone_vm:
  .cfi_startproc
  endbr64
  sub $16, %rdi
  mov %rsi, (%rdi)
  mov %rdx, 8(%rdi)
  mov %rdi, %rsi
  mov $0x111, %edi
  xor %edx, %edx
  xor %r10d, %r10d
  xor %r8d, %r8d
  mov $56, %eax
  syscall
  test %rax, %rax
  jnz 1f
  .cfi_undefined rip
  pop %rax
  pop %rdi
  call *%rax
  xor %edi, %edi
  mov $60, %eax
  syscall
  hlt
1:
  ret
  .cfi_endproc
  .size hull_clone_vm, .-hull_clone_vm
)");

// The entry: keep the kernel's (or ld.so's) stack pointer and %rdx (the atexit function ld.so
// passes to a dynamically linked program; 0 when static) for _start, which expects them as at
// process entry.
__asm__(R"(
  .text
  .globl hull_entry
  .type hull_entry, @function
hull_entry:
  .cfi_startproc
  .cfi_undefined rip
  endbr64
  mov %rsp, %rbx
  mov %rdx, %r12
  mov %rsp, %rdi
  and $-16, %rsp
  call hull_early_reexec
  mov %rbx, %rsp
  mov %r12, %rdx
  xor %ebx, %ebx
  xor %r12d, %r12d
  jmp _start
  .cfi_endproc
  .size hull_entry, .-hull_entry
)");

#endif  // __x86_64__
