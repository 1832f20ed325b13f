// The state record on disk: what Save writes is the document EncodeRecord describes, and Load
// gives the record back (config included), whatever the config holds.
#include "runtime/container/state_store.h"

#include <gtest/gtest.h>

#include "common/file_util.h"
#include "spec/json.h"
#include "tests/support/bundle.h"

namespace hull::container {
namespace {

ContainerRecord SampleRecord() {
  ContainerRecord r;
  r.id = "state-test";
  r.phase = "created";
  r.pid = 4242;
  r.pid_start_time = 123456789;
  r.bundle = "/b";
  r.rootfs = "/b/rootfs";
  r.created = "2026-11-28T22:00:00.000000000Z";
  r.owner = "root";
  r.annotations = {{"a", "1"}, {"quote\"d", "x\ny"}};
  r.cgroup = *json::Parse(R"({"version":1,"dirs":[]})");
  r.exit_code = 3;
  r.stopped_at = "2026-11-28T22:00:01Z";
  r.config =
      *json::Parse(R"({"ociVersion":"1.3.0","process":{"args":["/bin/true","\u00e9"],"env":[]},)"
                   R"("root":{"path":"rootfs"},"annotations":{"k":"v"},"mounts":[]})");
  return r;
}

TEST(StateStoreTest, SavedFileIsTheEncodedRecordAndLoadsBack) {
  ::hull::testing::TempDir root{"hull-state"};
  StateStore store(root.path());
  auto dir = store.CreateNew("state-test");
  ASSERT_TRUE(dir.ok()) << dir.status();
  const ContainerRecord r = SampleRecord();
  ASSERT_TRUE(dir->Save(r).ok());

  auto text = ReadFile(root.path() + "/state-test/state.json");
  ASSERT_TRUE(text.ok()) << text.status();
  auto doc = json::Parse(*text);
  ASSERT_TRUE(doc.ok()) << doc.status() << "\n" << *text;
  EXPECT_TRUE(*doc == EncodeRecord(r)) << *text;

  auto back = dir->Load();
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->id, r.id);
  EXPECT_EQ(back->pid, r.pid);
  EXPECT_EQ(back->pid_start_time, r.pid_start_time);
  EXPECT_EQ(back->annotations, r.annotations);
  EXPECT_EQ(back->exit_code, r.exit_code);
  EXPECT_TRUE(back->config == r.config);
  EXPECT_TRUE(back->cgroup == r.cgroup);
}

// create hands Save the config's own text: embedded as it is (layout and all), it must load
// back as the same config, and a text that is not one plain object is encoded instead.
TEST(StateStoreTest, ConfigTextIsEmbeddedAsItIsAndLoadsBackAsTheConfig) {
  ::hull::testing::TempDir root{"hull-state"};
  StateStore store(root.path());
  auto dir = store.CreateNew("state-test");
  ASSERT_TRUE(dir.ok()) << dir.status();
  ContainerRecord r = SampleRecord();
  r.config_text =
      "\n  {\"ociVersion\": \"1.3.0\",\n \"process\": {\"args\": [\"/bin/true\", \"\\u00e9\"], "
      "\"env\": []},\n \"root\": {\"path\": \"rootfs\"}, \"annotations\": {\"k\": \"v\"},"
      " \"mounts\": []}\n";
  ASSERT_TRUE(dir->Save(r).ok());
  auto text = ReadFile(root.path() + "/state-test/state.json");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_NE(text->find("\"config\":{\"ociVersion\": \"1.3.0\",\n \"process\""), std::string::npos)
      << *text;
  auto back = dir->Load();
  ASSERT_TRUE(back.ok()) << back.status() << "\n" << *text;
  EXPECT_TRUE(back->config == r.config) << *text;

  r.config_text = "\xef\xbb\xbf{\"ociVersion\":\"9\"}";  // a byte-order mark first: not embedded
  ASSERT_TRUE(dir->Save(r).ok());
  back = dir->Load();
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->config == r.config);
}

TEST(StateStoreTest, RecordWithoutConfigSavesNull) {
  ::hull::testing::TempDir root{"hull-state"};
  StateStore store(root.path());
  auto dir = store.CreateNew("no-config");
  ASSERT_TRUE(dir.ok()) << dir.status();
  ContainerRecord r;
  r.id = "no-config";
  ASSERT_TRUE(dir->Save(r).ok());
  auto doc = json::Parse(*ReadFile(root.path() + "/no-config/state.json"));
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_TRUE(*doc == EncodeRecord(r));
  ASSERT_NE(doc->Find("config"), nullptr);
  EXPECT_TRUE(doc->Find("config")->is_null());
}

}  // namespace
}  // namespace hull::container
