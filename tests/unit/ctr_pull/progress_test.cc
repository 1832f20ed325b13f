#include "ctr-pull/progress.h"

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hull::pull {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Drive(ProgressMode mode) {
  FILE* f = tmpfile();
  {
    std::unique_ptr<Progress> p = MakeProgress(mode, f);
    p->Status("pulling x");
    p->LayerStart("sha256:aaaaaaaaaaaa1111", 2000000);
    p->LayerBytes("sha256:aaaaaaaaaaaa1111", 2000000, 2000000);
    p->LayerDone("sha256:aaaaaaaaaaaa1111", false);
    p->LayerDone("sha256:bbbbbbbbbbbb2222", true);
  }
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

TEST(ProgressTest, PlainLinesWhenNotATerminal) {
  std::string out = Drive(ProgressMode::kAuto);  // a regular file is not a tty
  EXPECT_THAT(out, HasSubstr("aaaaaaaaaaaa: downloading 2.0MB\n"));
  EXPECT_THAT(out, HasSubstr("aaaaaaaaaaaa: done\n"));
  EXPECT_THAT(out, HasSubstr("bbbbbbbbbbbb: already cached\n"));
  EXPECT_THAT(out, Not(HasSubstr("\033[")));
}

TEST(ProgressTest, TerminalRedrawsPerLayerLinesWithSpeed) {
  std::string out = Drive(ProgressMode::kTerminal);
  EXPECT_THAT(out, HasSubstr("\033[1A\r\033[K"));  // cursor up + clear line
  EXPECT_THAT(out, HasSubstr("downloading 2.0MB/2.0MB"));
  EXPECT_THAT(out, HasSubstr("/s"));
  EXPECT_THAT(out, HasSubstr("already cached"));
}

TEST(ProgressTest, QuietPrintsNothing) { EXPECT_EQ(Drive(ProgressMode::kQuiet), ""); }

}  // namespace
}  // namespace hull::pull
