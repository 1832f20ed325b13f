// CVE-2019-5736: a container process must never be able to write the hull binary through
// /proc/<hull pid>/exe (e.g. by making a container binary "#!/proc/self/exe" so that hull runs
// inside the container, then reopening that exe for writing once hull exits). PR_SET_DUMPABLE
// alone does not cover that: an execve resets dumpability, and a container holding
// CAP_SYS_PTRACE in the host user namespace passes the ptrace check anyway.
//
// Hull therefore runs, for the commands that put processes into containers, from a read-only
// bind of its own binary: a detached mount (open_tree of /proc/self/exe, MOUNT_ATTR_RDONLY) that
// it re-executes with execveat. The exe link of every hull process then names a read-only
// mount, so opening it for writing fails with EROFS, while the host mount table is untouched
// and nothing is copied (cost: one open_tree, one mount_setattr, one execve).
//
// On x86-64 the same steps run in the ELF entry point, before glibc starts
// (exe_protect_entry.cc); main() calls ReexecFromReadOnlyBinary on other architectures.
#pragma once

namespace hull::linux {

// Re-executes the current binary from a read-only detached bind of itself, unless /proc/self/exe
// is already on a read-only mount. Returns (without re-exec) when that is not possible
// (no new mount API, no privilege): the caller carries on from the writable binary.
void ReexecFromReadOnlyBinary(char** argv, char** envp);

// Whether /proc/self/exe lives on a read-only mount.
bool SelfExeIsReadOnly();

}  // namespace hull::linux
