#include "genq/ws/outbound_queue.hpp"

#include <gtest/gtest.h>

namespace genq::ws {
namespace {

std::size_t cost(std::size_t text) { return text + OutboundQueue::kEntryOverhead; }

TEST(OutboundQueue, FramesLeaveInOrder) {
  OutboundQueue queue(1 << 20);
  EXPECT_EQ(queue.push(make_frame("a")), OutboundQueue::Push::Queued);
  EXPECT_EQ(queue.push(make_frame("b")), OutboundQueue::Push::Queued);
  EXPECT_EQ(queue.bytes(), cost(1) * 2);
  EXPECT_EQ(queue.pop()->text, "a");
  EXPECT_EQ(queue.pop()->text, "b");
  EXPECT_EQ(queue.pop(), nullptr);
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(OutboundQueue, ProgressOfOneJobReplacesTheQueuedOneInPlace) {
  OutboundQueue queue(1 << 20);
  queue.push(make_frame("processing"));
  queue.push(make_frame("progress 10", "job-1"));
  queue.push(make_frame("progress other job", "job-2"));
  EXPECT_EQ(queue.push(make_frame("progress 20", "job-1")), OutboundQueue::Push::Replaced);
  EXPECT_EQ(queue.size(), 3u);
  EXPECT_EQ(queue.pop()->text, "processing");
  EXPECT_EQ(queue.pop()->text, "progress 20");
  EXPECT_EQ(queue.pop()->text, "progress other job");
  EXPECT_TRUE(queue.empty());
}

TEST(OutboundQueue, FramesWithoutKeyAreNeverCoalesced) {
  OutboundQueue queue(1 << 20);
  queue.push(make_frame("progress 90", "job-1"));
  queue.push(make_frame("done"));
  queue.push(make_frame("done"));
  EXPECT_EQ(queue.size(), 3u);
}

TEST(OutboundQueue, RefusesPastTheCapAndStaysUnchanged) {
  OutboundQueue queue(cost(10) * 2);
  EXPECT_EQ(queue.push(make_frame(std::string(10, 'a'))), OutboundQueue::Push::Queued);
  EXPECT_EQ(queue.push(make_frame(std::string(10, 'b'))), OutboundQueue::Push::Queued);
  EXPECT_EQ(queue.push(make_frame("final")), OutboundQueue::Push::Overflow);
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.bytes(), cost(10) * 2);
}

TEST(OutboundQueue, CoalescingKeepsALaggingReaderWithinTheCap) {
  // A reader that never catches up while one job reports 1000 progress steps holds
  // one progress frame, not a thousand.
  OutboundQueue queue(cost(100) * 3);
  queue.push(make_frame("processing"));
  for (int i = 0; i < 1000; ++i) {
    auto push = queue.push(make_frame(std::string(100, 'p'), "job"));
    ASSERT_NE(push, OutboundQueue::Push::Overflow) << "step " << i;
  }
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.push(make_frame("done")), OutboundQueue::Push::Queued);
}

TEST(OutboundQueue, AnEmptyQueueTakesAFrameLargerThanTheCap) {
  OutboundQueue queue(16);
  EXPECT_EQ(queue.push(make_frame(std::string(1000, 'x'))), OutboundQueue::Push::Queued);
  EXPECT_EQ(queue.push(make_frame("y")), OutboundQueue::Push::Overflow);
}

TEST(OutboundQueue, SharedFramesAreNotCopied) {
  OutboundQueue a(1 << 20), b(1 << 20);
  auto frame = make_frame(std::string(1000, 'x'));
  a.push(frame);
  b.push(frame);
  EXPECT_EQ(a.pop().get(), b.pop().get());
}

TEST(OutboundQueue, ManyPopsKeepOrderAcrossCompaction) {
  OutboundQueue queue(1 << 24);
  for (int i = 0; i < 500; ++i) queue.push(make_frame(std::to_string(i)));
  for (int i = 0; i < 300; ++i) ASSERT_EQ(queue.pop()->text, std::to_string(i));
  for (int i = 500; i < 600; ++i) queue.push(make_frame(std::to_string(i)));
  for (int i = 300; i < 600; ++i) ASSERT_EQ(queue.pop()->text, std::to_string(i));
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
}

}  // namespace
}  // namespace genq::ws
