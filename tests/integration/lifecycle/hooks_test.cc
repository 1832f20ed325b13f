// OCI hooks through hull: all six kinds, in the lifecycle step where runtime.md puts them, with
// the state on stdin, for create/start/delete and for run (which starts the container itself,
// without the exec FIFO). Each hook is a real /bin/sh script appending to a log in a host temp
// dir; the startContainer hook runs inside the container and reaches the same dir through a
// bind mount.
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "spec/config.h"
#include "tests/integration/lifecycle/util.h"

namespace hull::lifecycle_test {
namespace {

using ::hull::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class HooksTest : public HullTest {
 protected:
  // A hook that appends `kind` to <log dir>/order and its stdin (the state) to <log dir>/<kind>.
  // `dir` is the log dir as the hook sees it (the startContainer hook runs in the container).
  static spec::Hook Logger(const std::string& kind, const std::string& dir) {
    spec::Hook h;
    h.path = "/bin/sh";
    h.args = {"sh", "-c", "echo " + kind + " >> " + dir + "/order; cat > " + dir + "/" + kind};
    return h;
  }
  static spec::Hook Failing(const std::string& msg) {
    spec::Hook h;
    h.path = "/bin/sh";
    h.args = {"sh", "-c", "echo " + msg + " >&2; exit 3"};
    return h;
  }

  // A bundle whose container sees the log dir at /hooklog, with every hook kind logging.
  Bundle HookedBundle(std::vector<std::string> args) {
    Bundle b = MakeBundle(std::move(args));
    spec::Mount m;
    m.destination = "/hooklog";
    m.type = "bind";
    m.source = logs_.path();
    m.options = {"rbind", "rw"};
    b.spec().mounts.push_back(m);
    spec::Hooks& h = b.spec().hooks.emplace();
    h.prestart = {Logger("prestart", logs_.path())};
    h.create_runtime = {Logger("createRuntime", logs_.path())};
    h.create_container = {Logger("createContainer", logs_.path())};
    h.start_container = {Logger("startContainer", "/hooklog")};
    h.poststart = {Logger("poststart", logs_.path())};
    h.poststop = {Logger("poststop", logs_.path())};
    return b;
  }

  std::vector<std::string> Order() {
    std::string text = ReadTestFile(logs_.path() + "/order");
    std::vector<std::string> out =
        absl::StrSplit(absl::StripSuffix(text, "\n"), '\n', absl::SkipEmpty());
    return out;
  }
  // The state a hook got on stdin.
  json::Value StateSeenBy(const std::string& kind) {
    return ParseJson(ReadTestFile(logs_.path() + "/" + kind));
  }

  TempDir logs_{"hull-hooks"};
};

TEST_F(HooksTest, CreateStartDeleteRunsEveryKindInItsStep) {
  Bundle b = HookedBundle({"sleep", "1000"});
  b.Write();
  std::string id = NewId();
  HullResult c = Hull({"create", "-b", b.dir(), id});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_THAT(Order(), ElementsAre("prestart", "createRuntime", "createContainer"));
  int64_t pid = IntField(ParseJson(Hull({"state", id}).out), "pid");
  for (const char* kind : {"prestart", "createRuntime", "createContainer"}) {
    json::Value st = StateSeenBy(kind);
    EXPECT_EQ(StrField(st, "id"), id) << kind;
    EXPECT_EQ(IntField(st, "pid"), pid) << kind;
    EXPECT_EQ(StrField(st, "bundle"), b.dir()) << kind;
  }

  ASSERT_EQ(Hull({"start", id}).code, 0);
  EXPECT_THAT(Order(), ElementsAre("prestart", "createRuntime", "createContainer", "startContainer",
                                   "poststart"));
  EXPECT_EQ(StrField(StateSeenBy("poststart"), "status"), "running");
  EXPECT_EQ(IntField(StateSeenBy("poststart"), "pid"), pid);

  ASSERT_EQ(Hull({"kill", id, "KILL"}).code, 0);
  ASSERT_TRUE(WaitForStatus(id, "stopped"));
  HullResult d = Hull({"delete", id});
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_THAT(Order(), ElementsAre("prestart", "createRuntime", "createContainer", "startContainer",
                                   "poststart", "poststop"));
  EXPECT_EQ(StrField(StateSeenBy("poststop"), "status"), "stopped");
  EXPECT_THAT(LeftoverCgroups(), IsEmpty());
}

TEST_F(HooksTest, RunRunsEveryKindInOrder) {
  Bundle b = HookedBundle({"sh", "-c", "echo program >> /hooklog/order"});
  b.Write();
  HullResult r = Hull({"run", "-b", b.dir(), NewId()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> order = Order();
  // poststart runs after the program is started, so it may come before or after the program's
  // own line; everything else has a fixed place.
  ASSERT_EQ(order.size(), 7u) << ReadTestFile(logs_.path() + "/order");
  EXPECT_THAT(std::vector<std::string>(order.begin(), order.begin() + 4),
              ElementsAre("prestart", "createRuntime", "createContainer", "startContainer"));
  EXPECT_THAT(std::vector<std::string>(order.begin() + 4, order.begin() + 6),
              ::testing::UnorderedElementsAre("program", "poststart"));
  EXPECT_EQ(order.back(), "poststop");
  EXPECT_EQ(StrField(StateSeenBy("poststart"), "status"), "running");
  EXPECT_THAT(LeftoverCgroups(), IsEmpty());
}

TEST_F(HooksTest, EveryPoststopHookRunsEvenAfterAFailure) {
  Bundle b = MakeBundle({"true"});
  spec::Hooks& h = b.spec().hooks.emplace();
  h.poststop = {Failing("first-poststop-failed"), Logger("poststop", logs_.path())};
  b.Write();
  HullResult r = Hull({"run", "-b", b.dir(), NewId()});
  EXPECT_EQ(r.code, 0) << r.err;  // poststop failures are warnings (runtime.md step 13)
  EXPECT_THAT(r.err, HasSubstr("first-poststop-failed"));
  EXPECT_THAT(Order(), ElementsAre("poststop"));
  EXPECT_THAT(LeftoverCgroups(), IsEmpty());
}

TEST_F(HooksTest, FailingPoststartStopsTheContainerAndRunFails) {
  Bundle b = MakeBundle({"sleep", "1000"});
  spec::Hooks& h = b.spec().hooks.emplace();
  h.poststart = {Failing("poststart-says-no")};
  b.Write();
  std::string id = NewId();
  HullResult r = Hull({"run", "-b", b.dir(), id});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("poststart-says-no"));
  EXPECT_THAT(Hull({"state", id}).err, HasSubstr("does not exist"));
  EXPECT_THAT(LeftoverCgroups(), IsEmpty());
}

TEST_F(HooksTest, FailingCreateRuntimeHookLeavesNothing) {
  Bundle b = MakeBundle({"true"});
  spec::Hooks& h = b.spec().hooks.emplace();
  h.create_runtime = {Failing("create-runtime-says-no")};
  b.Write();
  std::string id = NewId();
  HullResult r = Hull({"run", "-b", b.dir(), id});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("createRuntime hook[0]"));
  EXPECT_THAT(r.err, HasSubstr("create-runtime-says-no"));
  EXPECT_THAT(Hull({"state", id}).err, HasSubstr("does not exist"));
  EXPECT_THAT(LeftoverCgroups(), IsEmpty());
}

}  // namespace
}  // namespace hull::lifecycle_test
