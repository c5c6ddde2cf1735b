// Every Store (SQLite and PostgreSQL): Job::version counts the published changes of a job (1 at submit, +1
// per transition, heartbeats excluded), and every read returns what the write did.
#include <gtest/gtest.h>

#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class StoreJobVersion : public StoreFixture {};

GENQ_STORE_SUITE(StoreJobVersion);

TEST_P(StoreJobVersion, EachPublishedTransitionAddsOneAndHeartbeatsDoNot) {
  EXPECT_EQ(submit(new_job("job-1")).version, 1);
  EXPECT_EQ(get("job-1").version, 1);

  LeaseRef lease = claim_one();
  EXPECT_EQ(get("job-1").version, 2);

  ASSERT_TRUE(store_->heartbeat(lease, 30s));
  EXPECT_EQ(get("job-1").version, 2);

  Result<Job> progressed = store_->progress(lease, 40, std::nullopt, 30s);
  ASSERT_TRUE(progressed) << progressed.error().message;
  EXPECT_EQ(progressed->version, 3);

  Result<Job> retried = store_->fail(lease, "GPU fell over", true, "");
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ(retried->status, JobStatus::Pending);
  EXPECT_EQ(retried->version, 4);

  LeaseRef second = claim_one();
  Result<Job> released = store_->release(second);
  ASSERT_TRUE(released) << released.error().message;
  EXPECT_EQ(released->version, 6);

  LeaseRef third = claim_one();
  Result<Job> done = store_->complete(third, JobResult{"out/x.png", "image/png", std::nullopt});
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->version, 8);
  EXPECT_EQ(get("job-1").version, 8);
}

TEST_P(StoreJobVersion, CancelAndLeaseExpiryAreVersionedAndSurviveAReopen) {
  submit(new_job("job-1"));
  submit(new_job("job-2"));
  Result<Job> cancelled = store_->cancel("job-2", "cl_1");
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_EQ(cancelled->version, 2);

  claim_one();  // job-1: version 2
  clock_.advance(31s);
  Result<std::vector<Job>> requeued = store_->requeue_expired(clock_.now());
  ASSERT_TRUE(requeued) << requeued.error().message;
  ASSERT_EQ(requeued->size(), 1u);
  EXPECT_EQ(requeued->front().status, JobStatus::Pending);
  EXPECT_EQ(requeued->front().version, 3);

  reopen();
  EXPECT_EQ(get("job-1").version, 3);
  EXPECT_EQ(get("job-2").version, 2);
}

}  // namespace
}  // namespace genq
