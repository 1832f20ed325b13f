// System calls without the C library, for code that runs before glibc has started (the ELF
// entry point, exe_protect_entry.cc) or that shares another thread's TLS, where even errno is
// not ours to write. Returns -errno on failure.
#pragma once

#if defined(__x86_64__)
#define HULL_HAVE_RAW_SYSCALL 1

// No stack protector (it reads the TLS canary) and no sanitizer instrumentation.
#define HULL_NO_INSTRUMENTATION \
  __attribute__((no_stack_protector, no_sanitize("address", "undefined")))

namespace hull::linux::raw {

HULL_NO_INSTRUMENTATION __attribute__((always_inline)) inline long Syscall(long nr, long a = 0,
                                                                           long b = 0, long c = 0,
                                                                           long d = 0, long e = 0) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                   : "rcx", "r11", "memory");
  return ret;
}

HULL_NO_INSTRUMENTATION __attribute__((always_inline)) inline long Arg(const void* p) {
  return reinterpret_cast<long>(p);
}

}  // namespace hull::linux::raw

#endif  // __x86_64__
