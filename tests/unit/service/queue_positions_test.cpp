#include "genq/service/queue_positions.hpp"

#include <gtest/gtest.h>

namespace genq {
namespace {

Job job(const std::string& model, std::int64_t seq, JobStatus status) {
  Job j;
  j.id = model + "-" + std::to_string(seq);
  j.model = model;
  j.seq = seq;
  j.status = status;
  return j;
}

QueuePositions::PendingReader entries(std::vector<PendingEntry> list) {
  return [list] { return Result<std::vector<PendingEntry>>(list); };
}

TEST(QueuePositions, UnknownUntilBuilt) {
  QueuePositions positions;
  EXPECT_FALSE(positions.ahead_of("m", 5));
  ASSERT_TRUE(positions.rebuild(entries({})));
  EXPECT_EQ(positions.ahead_of("m", 5), 0);
}

TEST(QueuePositions, CountsPendingJobsOfTheSameModelWithSmallerSequenceNumbers) {
  QueuePositions positions;
  ASSERT_TRUE(positions.rebuild(entries({{"a", 1}, {"b", 2}, {"a", 3}, {"a", 7}})));
  EXPECT_EQ(positions.ahead_of("a", 1), 0);
  EXPECT_EQ(positions.ahead_of("a", 3), 1);
  EXPECT_EQ(positions.ahead_of("a", 7), 2);
  EXPECT_EQ(positions.ahead_of("b", 2), 0);
  EXPECT_EQ(positions.ahead_of("a", 100), 3);
}

TEST(QueuePositions, TransitionsMoveJobsInAndOutOfTheQueue) {
  QueuePositions positions;
  ASSERT_TRUE(positions.rebuild(entries({})));
  for (std::int64_t seq = 1; seq <= 5; ++seq) positions.on_transition(job("a", seq, JobStatus::Pending));
  EXPECT_EQ(positions.ahead_of("a", 5), 4);
  positions.on_transition(job("a", 1, JobStatus::Processing));  // claimed
  positions.on_transition(job("a", 3, JobStatus::Error));       // cancelled
  EXPECT_EQ(positions.ahead_of("a", 5), 2);
  positions.on_transition(job("a", 1, JobStatus::Pending));  // lease expired: back at the head
  EXPECT_EQ(positions.ahead_of("a", 5), 3);
  EXPECT_EQ(positions.ahead_of("a", 2), 1);
}

TEST(QueuePositions, TransitionsDuringARebuildAreNotLost) {
  QueuePositions positions;
  ASSERT_TRUE(positions.rebuild(entries({{"a", 1}, {"a", 2}})));
  // The store snapshot has 1, 2, 3; while it is read, 4 arrives and 1 is claimed.
  ASSERT_TRUE(positions.rebuild([&positions] {
    positions.on_transition(job("a", 4, JobStatus::Pending));
    positions.on_transition(job("a", 1, JobStatus::Processing));
    return Result<std::vector<PendingEntry>>(std::vector<PendingEntry>{{"a", 1}, {"a", 2}, {"a", 3}});
  }));
  EXPECT_EQ(positions.ahead_of("a", 4), 2) << "2 and 3 wait ahead of 4; 1 was claimed";
}

TEST(QueuePositions, AFailedRebuildKeepsTheCurrentQueue) {
  QueuePositions positions;
  ASSERT_TRUE(positions.rebuild(entries({{"a", 1}})));
  EXPECT_FALSE(positions.rebuild([] { return Result<std::vector<PendingEntry>>(fail(Error::unavailable("busy"))); }));
  EXPECT_EQ(positions.ahead_of("a", 2), 1);
}

}  // namespace
}  // namespace genq
