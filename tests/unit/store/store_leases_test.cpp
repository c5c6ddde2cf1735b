// Every Store (SQLite and PostgreSQL): transitions under a lease (heartbeat, progress, complete, fail), lost
// leases, lease expiry and the attempts cap.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class StoreLeases : public StoreFixture {
 protected:
  void expect_lease_lost(const LeaseRef& lease) {
    Result<TimePoint> heartbeat = store_->heartbeat(lease, 30s);
    ASSERT_FALSE(heartbeat) << "heartbeat under a lost lease succeeded";
    EXPECT_EQ(heartbeat.error().kind, ErrorKind::Conflict);
    EXPECT_EQ(heartbeat.error().message, "lease lost");

    Result<Job> progressed = store_->progress(lease, 50, std::nullopt, 30s);
    ASSERT_FALSE(progressed);
    EXPECT_EQ(progressed.error().message, "lease lost");

    Result<Job> completed = store_->complete(lease, JobResult{"out/x.png", "image/png", std::nullopt});
    ASSERT_FALSE(completed);
    EXPECT_EQ(completed.error().message, "lease lost");

    Result<Job> failed = store_->fail(lease, "boom", true, "");
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "lease lost");
  }
};

GENQ_STORE_SUITE(StoreLeases);

TEST_P(StoreLeases, HeartbeatExtendsLease) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  clock_.advance(20s);
  Result<TimePoint> expires = store_->heartbeat(lease, 60s);
  ASSERT_TRUE(expires) << expires.error().message;
  EXPECT_EQ(*expires, clock_.now() + 60s);
  EXPECT_EQ(get("job-1").lease_expires_at, clock_.now() + 60s);
}

TEST_P(StoreLeases, ProgressSetsInProgressRoundsAndStoresPreview) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  Result<Job> job = store_->progress(lease, 33.3333, std::string("\xff\xd8jpeg\0bytes", 12), 45s);
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->status, JobStatus::InProgress);
  ASSERT_TRUE(job->progress);
  EXPECT_DOUBLE_EQ(*job->progress, 33.33);
  EXPECT_EQ(job->preview_jpeg, std::string("\xff\xd8jpeg\0bytes", 12));
  EXPECT_EQ(job->lease_expires_at, clock_.now() + 45s);
  EXPECT_EQ(get("job-1").preview_jpeg, std::string("\xff\xd8jpeg\0bytes", 12));
}

TEST_P(StoreLeases, ProgressWithoutPreviewKeepsEarlierPreview) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  ASSERT_TRUE(store_->progress(lease, 10, std::string("first"), 30s));
  Result<Job> job = store_->progress(lease, 20, std::nullopt, 30s);
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->preview_jpeg, "first");
  EXPECT_DOUBLE_EQ(job->progress.value_or(-1), 20);
}

TEST_P(StoreLeases, ProgressIsClampedToZeroThroughHundred) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  EXPECT_DOUBLE_EQ(store_->progress(lease, 150, std::nullopt, 30s)->progress.value_or(-1), 100);
  EXPECT_DOUBLE_EQ(store_->progress(lease, -3, std::nullopt, 30s)->progress.value_or(-1), 0);
  EXPECT_DOUBLE_EQ(store_->progress(lease, std::numeric_limits<double>::infinity(), std::nullopt, 30s)
                       ->progress.value_or(-1),
                   100);
}

TEST_P(StoreLeases, ProgressThatIsNotANumberIsInvalid) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  Result<Job> job = store_->progress(lease, std::nan(""), std::nullopt, 30s);
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().kind, ErrorKind::Invalid);
}

TEST_P(StoreLeases, CompleteSetsDoneResultAndClearsLease) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  ASSERT_TRUE(store_->progress(lease, 40, std::nullopt, 30s));
  clock_.advance(7s);
  Result<Job> job = store_->complete(lease, JobResult{"out/1.png", "image/png", std::string("caption")});
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->status, JobStatus::Done);
  EXPECT_DOUBLE_EQ(job->progress.value_or(-1), 100);
  EXPECT_EQ(job->result_blob, "out/1.png");
  EXPECT_EQ(job->result_mime, "image/png");
  EXPECT_EQ(job->result_text, std::optional<std::string>("caption"));
  EXPECT_EQ(job->finished_at, clock_.now());
  EXPECT_TRUE(job->lease_id.empty());
  EXPECT_FALSE(job->lease_expires_at);
  EXPECT_EQ(job->worker_id, "wk_1") << "the last worker stays on record";
  expect_lease_lost(lease);
}

TEST_P(StoreLeases, RetryableFailReturnsJobToPending) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  ASSERT_TRUE(store_->progress(lease, 40, std::string("preview"), 30s));
  Result<Job> job = store_->fail(lease, "CUDA out of memory", true, "");
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->status, JobStatus::Pending);
  EXPECT_EQ(job->attempts, 1);
  EXPECT_TRUE(job->lease_id.empty());
  EXPECT_FALSE(job->lease_expires_at);
  EXPECT_FALSE(job->progress);
  EXPECT_TRUE(job->preview_jpeg.empty());
  EXPECT_FALSE(job->finished_at);
  expect_lease_lost(lease);

  LeaseRef again = claim_one();
  EXPECT_EQ(again.job_id, "job-1");
  EXPECT_NE(again.lease_id, lease.lease_id);
  EXPECT_EQ(get("job-1").attempts, 2);
}

TEST_P(StoreLeases, RetryableFailAfterLastAttemptEndsInError) {
  NewJob job = new_job("job-1");
  job.max_attempts = 2;
  submit(job);
  ASSERT_TRUE(store_->fail(claim_one(), "first", true, ""));
  Result<Job> last = store_->fail(claim_one(), "second", true, "");
  ASSERT_TRUE(last) << last.error().message;
  EXPECT_EQ(last->status, JobStatus::Error);
  EXPECT_EQ(last->error, "second");
  EXPECT_EQ(last->attempts, 2);
  EXPECT_EQ(last->finished_at, clock_.now());
}

TEST_P(StoreLeases, NonRetryableFailEndsInError) {
  submit(new_job("job-1"));
  Result<Job> job = store_->fail(claim_one(), "bad prompt", false, "");
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_EQ(job->status, JobStatus::Error);
  EXPECT_EQ(job->error, "bad prompt");
  EXPECT_EQ(job->attempts, 1);
  EXPECT_TRUE(job->lease_id.empty());
  EXPECT_TRUE(job->finished_at);
}

TEST_P(StoreLeases, WrongLeaseIdIsLeaseLost) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  expect_lease_lost(LeaseRef{lease.job_id, "ls_forged"});
  expect_lease_lost(LeaseRef{lease.job_id, ""});
  EXPECT_TRUE(store_->heartbeat(lease, 30s)) << "the real lease is untouched";
}

TEST_P(StoreLeases, LeaseCallOnUnknownJobIsNotFound) {
  Result<TimePoint> heartbeat = store_->heartbeat(LeaseRef{"nope", "ls_x"}, 30s);
  ASSERT_FALSE(heartbeat);
  EXPECT_EQ(heartbeat.error().kind, ErrorKind::NotFound);
  Result<Job> completed = store_->complete(LeaseRef{"nope", "ls_x"}, JobResult{});
  ASSERT_FALSE(completed);
  EXPECT_EQ(completed.error().kind, ErrorKind::NotFound);
}

TEST_P(StoreLeases, PendingJobHasNoLeaseToUse) {
  submit(new_job("job-1"));
  expect_lease_lost(LeaseRef{"job-1", ""});
}

TEST_P(StoreLeases, CancelledJobMakesWorkerLoseLease) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  Result<Job> cancelled = store_->cancel("job-1", "cl_1");
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_EQ(cancelled->status, JobStatus::Error);
  EXPECT_EQ(cancelled->error, "cancelled");
  EXPECT_TRUE(cancelled->lease_id.empty());
  expect_lease_lost(lease);
}

TEST_P(StoreLeases, ExpiredLeaseReturnsJobToPending) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  ASSERT_TRUE(store_->progress(lease, 50, std::string("preview"), 30s));
  clock_.advance(30s);

  Result<std::vector<Job>> changed = store_->requeue_expired(clock_.now());
  ASSERT_TRUE(changed) << changed.error().message;
  ASSERT_EQ(changed->size(), 1u);
  const Job& job = changed->front();
  EXPECT_EQ(job.id, "job-1");
  EXPECT_EQ(job.status, JobStatus::Pending);
  EXPECT_TRUE(job.lease_id.empty());
  EXPECT_FALSE(job.lease_expires_at);
  EXPECT_FALSE(job.progress);
  EXPECT_TRUE(job.preview_jpeg.empty());
  EXPECT_EQ(job.attempts, 1);
  expect_lease_lost(lease);

  LeaseRef again = claim_one();
  EXPECT_EQ(again.job_id, "job-1");
  EXPECT_EQ(get("job-1").attempts, 2);
}

TEST_P(StoreLeases, UnexpiredLeaseIsNotRequeued) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  clock_.advance(29s);
  Result<std::vector<Job>> changed = store_->requeue_expired(clock_.now());
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_TRUE(changed->empty());
  EXPECT_TRUE(store_->heartbeat(lease, 30s));
}

TEST_P(StoreLeases, HeartbeatKeepsLeaseFromExpiring) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  clock_.advance(25s);
  ASSERT_TRUE(store_->heartbeat(lease, 30s));
  clock_.advance(25s);
  Result<std::vector<Job>> changed = store_->requeue_expired(clock_.now());
  ASSERT_TRUE(changed);
  EXPECT_TRUE(changed->empty());
}

TEST_P(StoreLeases, ExpiredLeaseOnLastAttemptEndsInError) {
  submit(new_job("job-1"));  // max_attempts = 3
  for (int attempt = 1; attempt <= 3; ++attempt) {
    claim_one();
    clock_.advance(31s);
    Result<std::vector<Job>> changed = store_->requeue_expired(clock_.now());
    ASSERT_TRUE(changed) << changed.error().message;
    ASSERT_EQ(changed->size(), 1u);
    EXPECT_EQ(changed->front().status, attempt < 3 ? JobStatus::Pending : JobStatus::Error);
  }
  Job job = get("job-1");
  EXPECT_EQ(job.status, JobStatus::Error);
  EXPECT_EQ(job.error, "worker lost: lease expired after 3 attempts");
  EXPECT_EQ(job.attempts, 3);
  EXPECT_EQ(job.finished_at, clock_.now());
  Result<std::vector<Lease>> leases = store_->claim(claim_request());
  ASSERT_TRUE(leases);
  EXPECT_TRUE(leases->empty()) << "a job out of attempts is never claimed again";
}

TEST_P(StoreLeases, RequeueReturnsEveryExpiredJobInSubmitOrder) {
  submit(new_job("a"));
  submit(new_job("b"));
  submit(new_job("c"));
  NewJob last_try = new_job("d");
  last_try.max_attempts = 1;
  submit(last_try);
  Result<std::vector<Lease>> leases = store_->claim(claim_request({kModel}, 4));
  ASSERT_TRUE(leases);
  ASSERT_EQ(leases->size(), 4u);
  ASSERT_TRUE(store_->heartbeat(LeaseRef{"b", leases->at(1).job.lease_id}, 120s));
  clock_.advance(60s);

  Result<std::vector<Job>> changed = store_->requeue_expired(clock_.now());
  ASSERT_TRUE(changed) << changed.error().message;
  ASSERT_EQ(changed->size(), 3u);
  EXPECT_EQ(changed->at(0).id, "a");
  EXPECT_EQ(changed->at(1).id, "c");
  EXPECT_EQ(changed->at(2).id, "d");
  EXPECT_EQ(changed->at(2).status, JobStatus::Error);
  EXPECT_EQ(changed->at(2).error, "worker lost: lease expired after 1 attempts");
}

TEST_P(StoreLeases, ReclaimKeepsFirstStartTime) {
  submit(new_job("job-1"));
  claim_one();
  const TimePoint first_start = clock_.now();
  clock_.advance(31s);
  ASSERT_TRUE(store_->requeue_expired(clock_.now()));
  claim_one();
  EXPECT_EQ(get("job-1").started_at, first_start);
}

}  // namespace
}  // namespace genq
