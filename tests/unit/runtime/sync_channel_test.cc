// The parent <-> init channel: what a peer said before it died must reach the other side, even
// when it died with one of our messages unread (the kernel then reports ECONNRESET first).
#include "runtime/container/sync_channel.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace hull::container {
namespace {

TEST(SyncChannelTest, ErrorOfAPeerThatDiedWithOurMessageUnreadStillArrives) {
  SyncChannel parent, init;
  ASSERT_TRUE(SyncChannel::Pair(&parent, &init).ok());
  ASSERT_TRUE(parent.Send(SyncMsg::kCgroupDirs, "never read").ok());
  ASSERT_TRUE(init.Send(SyncMsg::kError, "mounts[7]: unknown filesystem type").ok());
  init.Close();  // exits without reading kCgroupDirs
  auto msg = parent.Receive();
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(msg->type, SyncMsg::kError);
  EXPECT_EQ(msg->payload, "mounts[7]: unknown filesystem type");
  // Then: the peer is gone.
  auto eof = parent.Receive();
  EXPECT_FALSE(eof.ok());
}

TEST(SyncChannelTest, PeerGoneWithoutAWordIsAnError) {
  SyncChannel parent, init;
  ASSERT_TRUE(SyncChannel::Pair(&parent, &init).ok());
  ASSERT_TRUE(parent.Send(SyncMsg::kGo, "1").ok());
  init.Close();
  auto msg = parent.Receive();
  EXPECT_FALSE(msg.ok());
}

TEST(SyncChannelTest, MessageCarriesItsFd) {
  SyncChannel a, b;
  ASSERT_TRUE(SyncChannel::Pair(&a, &b).ok());
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_TRUE(a.Send(SyncMsg::kConsole, "x", p[1]).ok());
  auto msg = b.Receive();
  ASSERT_TRUE(msg.ok()) << msg.status();
  EXPECT_EQ(msg->type, SyncMsg::kConsole);
  ASSERT_TRUE(msg->fd.valid());
  ASSERT_EQ(write(msg->fd.get(), "k", 1), 1);
  char c = 0;
  ASSERT_EQ(read(p[0], &c, 1), 1);
  EXPECT_EQ(c, 'k');
  close(p[0]);
  close(p[1]);
}

}  // namespace
}  // namespace hull::container
