#include "runtime/linux/signals.h"

#include <csignal>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hull::linux {
namespace {

TEST(SignalsTest, ParsesNamesWithOrWithoutSigPrefixInAnyCase) {
  for (const char* text : {"KILL", "SIGKILL", "kill", "sigKill", "9"}) {
    absl::StatusOr<int> sig = ParseSignal(text);
    ASSERT_TRUE(sig.ok()) << text << ": " << sig.status();
    EXPECT_EQ(*sig, SIGKILL) << text;
  }
  EXPECT_EQ(*ParseSignal("TERM"), SIGTERM);
  EXPECT_EQ(*ParseSignal("SIGWINCH"), SIGWINCH);
  EXPECT_EQ(*ParseSignal("hup"), SIGHUP);
  EXPECT_EQ(*ParseSignal("IOT"), SIGABRT);  // alias
}

TEST(SignalsTest, ParsesRealtimeSignals) {
  EXPECT_EQ(*ParseSignal("RTMIN"), SIGRTMIN);
  EXPECT_EQ(*ParseSignal("SIGRTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(*ParseSignal("rtmax-2"), SIGRTMAX - 2);
  EXPECT_EQ(*ParseSignal("SIGRTMAX"), SIGRTMAX);
  EXPECT_EQ(*ParseSignal("64"), 64);
}

TEST(SignalsTest, RejectsUnknownNamesAndOutOfRangeNumbers) {
  for (const char* text :
       {"FOO", "SIGFOO", "", "0", "65", "-9", "9x", "RTMIN+99", "RTMAX+1", "RTMIN-1", "SIG"}) {
    absl::StatusOr<int> sig = ParseSignal(text);
    EXPECT_FALSE(sig.ok()) << "\"" << text << "\" parsed as " << *sig;
  }
  EXPECT_THAT(std::string(ParseSignal("FOO").status().message()),
              ::testing::HasSubstr("unknown signal \"FOO\""));
}

TEST(SignalsTest, EveryNamedSignalRoundTrips) {
  std::vector<std::string> names = AllSignalNames();
  std::set<std::string> unique(names.begin(), names.end());
  EXPECT_EQ(unique.size(), names.size());
  EXPECT_TRUE(unique.count("SIGKILL"));
  EXPECT_TRUE(unique.count("SIGRTMAX"));
  for (const std::string& name : names) {
    absl::StatusOr<int> sig = ParseSignal(name);
    ASSERT_TRUE(sig.ok()) << name;
    EXPECT_EQ(SignalName(*sig), name);
  }
  EXPECT_EQ(SignalName(SIGRTMIN + 1), "SIGRTMIN+1");
  EXPECT_EQ(SignalName(SIGRTMAX - 1), "SIGRTMAX-1");
  EXPECT_EQ(SignalName(200), "SIG200");
}

}  // namespace
}  // namespace hull::linux
