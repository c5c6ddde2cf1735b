// Every Store (SQLite and PostgreSQL): Idempotency-Key replay, conflict and the 24 h window.
#include <gtest/gtest.h>

#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class StoreIdempotency : public StoreFixture {
 protected:
  static NewJob keyed(std::string id, std::string key, std::string hash, std::string client_id = "cl_1") {
    NewJob job = new_job(std::move(id), kModel, std::move(client_id));
    job.idempotency_key = std::move(key);
    job.request_hash = std::move(hash);
    return job;
  }
};

GENQ_STORE_SUITE(StoreIdempotency);

TEST_P(StoreIdempotency, SameKeyAndHashReturnsEarlierJob) {
  Result<SubmitOutcome> first = store_->submit(keyed("job-1", "key-1", "hash-a"));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->created);

  clock_.advance(1h);
  Result<SubmitOutcome> replay = store_->submit(keyed("job-2", "key-1", "hash-a"));
  ASSERT_TRUE(replay) << replay.error().message;
  EXPECT_FALSE(replay->created);
  EXPECT_EQ(replay->job.id, "job-1");
  EXPECT_FALSE(store_->get("job-2")) << "a replay creates no job";
}

TEST_P(StoreIdempotency, ReplayReturnsJobAsItIsNow) {
  ASSERT_TRUE(store_->submit(keyed("job-1", "key-1", "hash-a")));
  claim_one();
  Result<SubmitOutcome> replay = store_->submit(keyed("job-2", "key-1", "hash-a"));
  ASSERT_TRUE(replay) << replay.error().message;
  EXPECT_EQ(replay->job.status, JobStatus::Processing);
}

TEST_P(StoreIdempotency, SameKeyWithDifferentHashIsConflict) {
  ASSERT_TRUE(store_->submit(keyed("job-1", "key-1", "hash-a")));
  Result<SubmitOutcome> reused = store_->submit(keyed("job-2", "key-1", "hash-b"));
  ASSERT_FALSE(reused);
  EXPECT_EQ(reused.error().kind, ErrorKind::Conflict);
  EXPECT_EQ(reused.error().message, "Idempotency-Key was already used with a different request");
}

TEST_P(StoreIdempotency, KeyJustUnderOneDayOldStillReplays) {
  ASSERT_TRUE(store_->submit(keyed("job-1", "key-1", "hash-a")));
  clock_.advance(24h - 1ms);
  Result<SubmitOutcome> replay = store_->submit(keyed("job-2", "key-1", "hash-a"));
  ASSERT_TRUE(replay) << replay.error().message;
  EXPECT_FALSE(replay->created);
}

TEST_P(StoreIdempotency, KeyOlderThanOneDayStartsNewJob) {
  ASSERT_TRUE(store_->submit(keyed("job-1", "key-1", "hash-a")));
  clock_.advance(24h);
  Result<SubmitOutcome> fresh = store_->submit(keyed("job-2", "key-1", "hash-b"));
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_TRUE(fresh->created);
  EXPECT_EQ(fresh->job.id, "job-2");

  // The key now belongs to the new job for the next 24 h.
  Result<SubmitOutcome> replay = store_->submit(keyed("job-3", "key-1", "hash-b"));
  ASSERT_TRUE(replay) << replay.error().message;
  EXPECT_FALSE(replay->created);
  EXPECT_EQ(replay->job.id, "job-2");
}

TEST_P(StoreIdempotency, ExpiredKeysAreForgottenBySweep) {
  ASSERT_TRUE(store_->submit(keyed("job-1", "key-1", "hash-a")));
  clock_.advance(25h);
  ASSERT_TRUE(store_->expire_results(clock_.now() - 48h));
  Result<SubmitOutcome> fresh = store_->submit(keyed("job-2", "key-1", "hash-b"));
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_TRUE(fresh->created);
}

TEST_P(StoreIdempotency, SameKeyFromAnotherClientIsIndependent) {
  ASSERT_TRUE(store_->submit(keyed("job-1", "key-1", "hash-a", "cl_1")));
  Result<SubmitOutcome> other = store_->submit(keyed("job-2", "key-1", "hash-b", "cl_2"));
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_TRUE(other->created);
  EXPECT_EQ(other->job.id, "job-2");
}

TEST_P(StoreIdempotency, JobsWithoutKeyAreNeverDeduplicated) {
  Result<SubmitOutcome> first = store_->submit(new_job("job-1"));
  Result<SubmitOutcome> second = store_->submit(new_job("job-2"));
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->created);
  EXPECT_TRUE(second->created);
}

TEST_P(StoreIdempotency, KeySurvivesReopen) {
  ASSERT_TRUE(store_->submit(keyed("job-1", "key-1", "hash-a")));
  reopen();
  Result<SubmitOutcome> replay = store_->submit(keyed("job-2", "key-1", "hash-a"));
  ASSERT_TRUE(replay) << replay.error().message;
  EXPECT_FALSE(replay->created);
  EXPECT_EQ(replay->job.id, "job-1");
}

}  // namespace
}  // namespace genq
