// Fault injection: hull is SIGKILLed at each test-only fault point (HULL_FAULT_AT, see
// common/fault.h) in create, start and delete; then `hull list` and `hull state` must still
// work, and `hull delete --force ID` must leave nothing behind: no process (by the state root
// in its command line or by membership of the container's cgroup), no mount of the rootfs in
// the host mount namespace, no cgroup directory, no state directory.
#include <gtest/gtest.h>
#include <signal.h>

#include <ostream>
#include <string>
#include <vector>

#include "spec/json.h"
#include "tests/support/bundle.h"
#include "tests/support/leak_check.h"

namespace hull::testing {
namespace {

enum class Phase { kCreate, kStart, kDelete };

struct FaultCase {
  const char* point;
  Phase phase;
};

void PrintTo(const FaultCase& c, std::ostream* os) { *os << c.point; }

class FaultTest : public HullTest, public ::testing::WithParamInterface<FaultCase> {
 protected:
  // `list` (table and JSON) and `state` never crash and never show a corrupt entry.
  void ExpectListAndStateSane(const std::string& id) {
    HullResult table = Hull({"list"});
    EXPECT_EQ(table.code, 0) << table.err;
    HullResult js = Hull({"list", "--format", "json"});
    ASSERT_EQ(js.code, 0) << js.err;
    auto v = json::Parse(js.out);
    ASSERT_TRUE(v.ok()) << "list --format json is not JSON: " << js.out;
    if (v->is_array()) {
      for (const auto& e : v->as_array()) {
        ASSERT_TRUE(e.is_object()) << js.out;
        const json::Value* eid = e.Find("id");
        const json::Value* st = e.Find("status");
        ASSERT_TRUE(eid && eid->is_string() && !eid->as_string().empty()) << js.out;
        ASSERT_TRUE(st && st->is_string()) << js.out;
        const std::string& s = st->as_string();
        EXPECT_TRUE(s == "creating" || s == "created" || s == "running" || s == "stopped" ||
                    s == "paused")
            << "entry with a corrupt status: " << js.out;
      }
    } else {
      EXPECT_TRUE(v->is_null()) << "list --format json: " << js.out;
    }
    HullResult st = Hull({"state", id});
    EXPECT_LT(st.code, 128) << "state crashed: " << st.err;
    if (st.code == 0) {
      EXPECT_TRUE(json::Parse(st.out).ok()) << st.out;
    } else {
      EXPECT_NE(st.err.find("container does not exist"), std::string::npos) << st.err;
    }
  }
};

TEST_P(FaultTest, ForceDeleteAfterKillLeavesNothingBehind) {
  const FaultCase& fc = GetParam();
  Bundle b = MakeBundle({"sleep", "1000"});
  const std::string cgroup = *b.spec().linux->cgroups_path;
  const std::string id = NewId("fault");
  HullOptions fault;
  fault.env = {std::string("HULL_FAULT_AT=") + fc.point};

  if (fc.phase == Phase::kCreate) {
    HullResult r = Hull({"create", "--bundle", b.dir(), id}, fault);
    if (r.code == 0) GTEST_SKIP() << "hull built without HULL_TEST_HOOKS (fault point not hit)";
    ASSERT_EQ(r.code, 128 + SIGKILL) << "create did not die at " << fc.point << ": " << r.err;
  } else {
    HullResult c = Hull({"create", "--bundle", b.dir(), id});
    ASSERT_EQ(c.code, 0) << c.err;
    if (fc.phase == Phase::kStart) {
      HullResult r = Hull({"start", id}, fault);
      if (r.code == 0) GTEST_SKIP() << "hull built without HULL_TEST_HOOKS";
      ASSERT_EQ(r.code, 128 + SIGKILL) << "start did not die at " << fc.point << ": " << r.err;
    } else {
      HullResult s = Hull({"start", id});
      ASSERT_EQ(s.code, 0) << s.err;
      HullResult r = Hull({"delete", "--force", id}, fault);
      if (r.code == 0) GTEST_SKIP() << "hull built without HULL_TEST_HOOKS";
      ASSERT_EQ(r.code, 128 + SIGKILL) << "delete did not die at " << fc.point << ": " << r.err;
    }
  }

  ExpectListAndStateSane(id);
  HullResult d = Hull({"delete", "--force", id});
  // A create killed before it wrote anything may leave nothing to delete; everything else must
  // be deletable.
  if (d.code != 0) {
    EXPECT_NE(d.err.find("container does not exist"), std::string::npos)
        << "delete --force after a kill at " << fc.point << " failed: " << d.err;
  }
  ExpectListAndStateSane(id);
  HullResult list = Hull({"list", "-q"});
  EXPECT_EQ(list.out.find(id), std::string::npos) << "still listed: " << list.out;

  // The init may take a moment to die after the kill; poll briefly before judging.
  Leftovers left;
  for (int i = 0; i < 50; ++i) {
    left = FindLeftovers(root(), id, b.dir(), cgroup);
    if (left.empty()) break;
    usleep(100 * 1000);
  }
  EXPECT_TRUE(left.empty()) << "after a kill at " << fc.point
                            << " and delete --force, left behind:\n"
                            << left.Describe();
}

const FaultCase kCases[] = {
    {"create.after-state-dir", Phase::kCreate}, {"create.after-clone", Phase::kCreate},
    {"create.after-pid-saved", Phase::kCreate}, {"create.after-cgroup", Phase::kCreate},
    {"create.after-ready", Phase::kCreate},     {"create.after-created", Phase::kCreate},
    {"start.after-fifo", Phase::kStart},        {"delete.before-destroy", Phase::kDelete},
    {"delete.after-cgroup", Phase::kDelete},
};

INSTANTIATE_TEST_SUITE_P(AllPoints, FaultTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<FaultCase>& info) {
                           std::string n = info.param.point;
                           for (char& c : n) {
                             if (c == '.' || c == '-') c = '_';
                           }
                           return n;
                         });

// The fault points named here must exist in the runtime: a renamed point would silently turn
// its test into a plain create/start/delete.
TEST(FaultPoints, EveryTestedPointExistsInTheRuntime) {
  std::string all;
  for (const char* f : {"/runtime/container/create.cc", "/runtime/container/lifecycle.cc"}) {
    all += ReadTestFile(std::string(HULL_SOURCE_DIR) + f);
  }
  for (const auto& c : kCases) {
    EXPECT_NE(all.find(std::string("FaultPoint(\"") + c.point + "\")"), std::string::npos)
        << c.point;
  }
}

}  // namespace
}  // namespace hull::testing
