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
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "runtime/linux/raw_syscall.h"

#define HULL_PRE_LIBC HULL_NO_INSTRUMENTATION __attribute__((always_inline)) inline

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
  long exe = Syscall(SYS_open, Arg(kSelfExe), O_PATH | O_CLOEXEC);
  if (exe >= 0) {
    struct statfs sfs;
    long r = Syscall(SYS_fstatfs, exe, Arg(&sfs));
    Syscall(SYS_close, exe);
    if (r == 0 && (sfs.f_flags & ST_RDONLY)) return;  // already read-only: nothing to do
  }
  long mnt = Syscall(SYS_open_tree, AT_FDCWD, Arg(kSelfExe), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (mnt < 0) return;
  struct mount_attr attr = {};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  static const char kEmpty[] = "";
  if (Syscall(SYS_mount_setattr, mnt, Arg(kEmpty), AT_EMPTY_PATH, Arg(&attr), sizeof attr) == 0) {
    Syscall(SYS_execveat, mnt, Arg(kEmpty), Arg(argv), Arg(envp), AT_EMPTY_PATH);
  }
  Syscall(SYS_close, mnt);  // execveat failed: start normally from the writable binary
}

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
