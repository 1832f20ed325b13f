#include <cstdio>
int main() {
  std::fprintf(stderr, "ctr-pull: not implemented yet\n");
  return 1;
}
