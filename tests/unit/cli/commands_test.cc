// The command table: FindCommand builds only the command asked for, so its name table and the
// commands' own names must agree (a mismatch would make a command unreachable by its name).
#include "runtime/cli/commands.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace hull::cli {
namespace {

TEST(CommandsTest, EveryCommandIsFoundByItsOwnName) {
  std::set<std::string> names;
  for (const Command& c : AllCommands()) {
    std::optional<Command> found = FindCommand(c.name);
    ASSERT_TRUE(found.has_value()) << c.name;
    EXPECT_EQ(found->name, c.name);
    EXPECT_EQ(found->run, c.run) << c.name;
    EXPECT_TRUE(names.insert(c.name).second) << "listed twice: " << c.name;
  }
  // runc's commands, all of them (checkpoint and restore say they are not supported).
  for (const char* runc :
       {"checkpoint", "create", "delete", "events", "exec", "features", "kill", "list", "pause",
        "ps", "restore", "resume", "run", "spec", "start", "state", "update"}) {
    EXPECT_TRUE(names.count(runc)) << runc;
  }
}

TEST(CommandsTest, UnknownNamesAreNotFound) {
  EXPECT_FALSE(FindCommand("").has_value());
  EXPECT_FALSE(FindCommand("runn").has_value());
  EXPECT_FALSE(FindCommand("help").has_value());  // handled by main before the table
}

}  // namespace
}  // namespace hull::cli
