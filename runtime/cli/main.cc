#include <cstdio>
int main() {
  std::fprintf(stderr, "hull: not implemented yet\n");
  return 1;
}
