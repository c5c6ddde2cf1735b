// Deadlines in every Store (docs/api.md, "Deadlines"): a job still pending at its
// cancel_after ends in error EXPIRED and is never claimed after it; an attempt still
// running at its execution_timeout ends in error WORKER_TIMEOUT, not retried, its lease
// never outliving that time. Both write their job.failed in the same transaction.
#include <gtest/gtest.h>

#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class StoreDeadlines : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    create_client("cl_1", "whsec_deadlines", "hash-1");
  }

  NewJob job_with(std::string id, Millis cancel_after, Millis execution_timeout) {
    NewJob job = new_job(std::move(id));
    job.webhook_url = "https://hooks.example.com/genq";
    job.cancel_after = cancel_after;
    job.execution_timeout = execution_timeout;
    return job;
  }

  std::vector<Job> sweep() {
    Result<std::vector<Job>> changed = store_->expire_deadlines(clock_.now());
    EXPECT_TRUE(changed) << changed.error().message;
    return changed ? *changed : std::vector<Job>{};
  }

  // The job's last due delivery.
  DueDelivery last_delivery() {
    DueQuery query;
    query.now = clock_.now();
    query.host = "hooks.example.com:443";
    query.limit = 100;
    query.claimant = "sender";
    query.claim_for = 60s;
    Result<std::vector<DueDelivery>> rows = store_->due_deliveries(query);
    EXPECT_TRUE(rows && !rows->empty()) << (rows ? "no delivery" : rows.error().message);
    return rows && !rows->empty() ? rows->back() : DueDelivery{};
  }
};

GENQ_STORE_SUITE(StoreDeadlines);

TEST_P(StoreDeadlines, APendingJobPastItsCancelAfterEndsExpiredWithItsWebhook) {
  const Job submitted = submit(job_with("j1", 10s, 0ms));
  ASSERT_TRUE(submitted.start_deadline);
  EXPECT_EQ(*submitted.start_deadline, submitted.created_at + 10s);
  EXPECT_EQ(get("j1").start_deadline, submitted.start_deadline) << "the stored row says the same";

  clock_.advance(9s);
  EXPECT_TRUE(sweep().empty()) << "not yet due";
  clock_.advance(1s);
  const std::vector<Job> expired = sweep();
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].status, JobStatus::Error);
  EXPECT_EQ(expired[0].error, "expired: no worker started it within cancel_after (10 s)");
  EXPECT_TRUE(expired[0].finished_at);
  EXPECT_GT(expired[0].version, submitted.version);
  EXPECT_TRUE(sweep().empty()) << "ended once";

  const DueDelivery delivery = last_delivery();
  EXPECT_EQ(delivery.event, "job.failed");
  EXPECT_EQ(delivery.error_code, "EXPIRED");
  EXPECT_EQ(delivery.previous_status, JobStatus::Pending);

  reopen();
  EXPECT_EQ(get("j1").status, JobStatus::Error) << "durable";
}

TEST_P(StoreDeadlines, AJobPastItsCancelAfterIsNeverClaimedEvenBeforeTheSweep) {
  submit(job_with("late", 5s, 0ms));
  submit(new_job("no-deadline"));
  clock_.advance(6s);
  Result<std::vector<Lease>> leases = store_->claim(claim_request({kModel}, 2));
  ASSERT_TRUE(leases) << leases.error().message;
  ASSERT_EQ(leases->size(), 1u);
  EXPECT_EQ(leases->front().job.id, "no-deadline");
  EXPECT_EQ(get("late").status, JobStatus::Pending) << "left for the sweep";
  ASSERT_EQ(sweep().size(), 1u);
}

TEST_P(StoreDeadlines, CancelAfterOnlyBoundsTheWaitNotTheRun) {
  submit(job_with("j1", 5s, 0ms));
  const LeaseRef lease = claim_one();
  for (int i = 0; i < 3; ++i) {
    clock_.advance(4s);
    ASSERT_TRUE(store_->heartbeat(lease, 30s));
  }
  EXPECT_TRUE(sweep().empty());
  EXPECT_EQ(get("j1").status, JobStatus::Processing);
}

TEST_P(StoreDeadlines, AnAttemptPastItsExecutionTimeoutFailsWithWorkerTimeoutAndIsNotRetried) {
  NewJob job = job_with("j1", 0ms, 60s);
  job.max_attempts = 3;
  submit(job);
  Result<std::vector<Lease>> leases = store_->claim(claim_request());
  ASSERT_TRUE(leases && leases->size() == 1u);
  const Job& claimed = leases->front().job;
  ASSERT_TRUE(claimed.run_deadline);
  EXPECT_EQ(*claimed.run_deadline, clock_.now() + 60s);
  EXPECT_EQ(claimed.execution_timeout, 60s);
  const LeaseRef lease{claimed.id, claimed.lease_id};

  clock_.advance(20s);
  ASSERT_TRUE(store_->progress(lease, 40, std::nullopt, 30s));
  clock_.advance(25s);
  Result<TimePoint> extended = store_->heartbeat(lease, 30s);
  ASSERT_TRUE(extended) << extended.error().message;
  EXPECT_EQ(*extended, *claimed.run_deadline) << "the lease never outlives the attempt's deadline";

  clock_.advance(15s);
  Result<std::vector<Job>> requeued = store_->requeue_expired(clock_.now());
  ASSERT_TRUE(requeued);
  EXPECT_TRUE(requeued->empty()) << "a timed-out attempt is not retried by the lease sweep";
  const std::vector<Job> timed_out = sweep();
  ASSERT_EQ(timed_out.size(), 1u);
  EXPECT_EQ(timed_out[0].status, JobStatus::Error);
  EXPECT_EQ(timed_out[0].error, "execution timeout: the attempt ran longer than execution_timeout (60 s)");
  EXPECT_TRUE(timed_out[0].lease_id.empty());
  EXPECT_EQ(timed_out[0].attempts, 1) << "attempts were left, and still it ended";

  Result<TimePoint> after = store_->heartbeat(lease, 30s);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().kind, ErrorKind::Conflict) << "the worker is told to stop";

  const DueDelivery delivery = last_delivery();
  EXPECT_EQ(delivery.event, "job.failed");
  EXPECT_EQ(delivery.error_code, "WORKER_TIMEOUT");
  EXPECT_EQ(delivery.previous_status, JobStatus::InProgress);
}

TEST_P(StoreDeadlines, EachAttemptGetsItsOwnExecutionTimeout) {
  NewJob job = job_with("j1", 0ms, 60s);
  job.max_attempts = 2;
  submit(job);
  claim_one();
  clock_.advance(31s);  // the first worker vanished: its lease expired before the deadline
  Result<std::vector<Job>> requeued = store_->requeue_expired(clock_.now());
  ASSERT_TRUE(requeued);
  ASSERT_EQ(requeued->size(), 1u);
  EXPECT_EQ(requeued->front().status, JobStatus::Pending);

  Result<std::vector<Lease>> second = store_->claim(claim_request());
  ASSERT_TRUE(second && second->size() == 1u);
  EXPECT_EQ(*second->front().job.run_deadline, clock_.now() + 60s);
  clock_.advance(50s);
  EXPECT_TRUE(sweep().empty()) << "the second attempt's deadline counts from its own claim";
}

TEST_P(StoreDeadlines, AJobThatExpiresAfterALostAttemptKeepsNoRunDeadline) {
  NewJob job = job_with("j1", 60s, 45s);
  job.max_attempts = 2;
  submit(job);
  claim_one();
  clock_.advance(31s);  // its worker vanished before its deadline: back to pending, run_deadline kept
  ASSERT_TRUE(store_->requeue_expired(clock_.now()));
  clock_.advance(30s);
  const std::vector<Job> expired = sweep();
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].error, "expired: no worker started it within cancel_after (60 s)");
  EXPECT_FALSE(expired[0].run_deadline) << "no attempt runs: /metrics counts it as expired, not timed out";
}

TEST_P(StoreDeadlines, ARetriedExpiredJobWaitsItsCancelAfterAgainFromTheRetry) {
  submit(job_with("j1", 10s, 0ms));
  clock_.advance(11s);
  ASSERT_EQ(sweep().size(), 1u);
  clock_.advance(100s);
  Result<Job> retried = store_->retry("j1", "cl_1");
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ(retried->status, JobStatus::Pending);
  ASSERT_TRUE(retried->start_deadline);
  EXPECT_EQ(*retried->start_deadline, clock_.now() + 10s);
  EXPECT_TRUE(sweep().empty());
  EXPECT_EQ(claim_one().job_id, "j1");
}

TEST_P(StoreDeadlines, JobsWithoutDeadlinesNeverExpire) {
  submit(new_job("j1"));
  clock_.advance(std::chrono::hours(24 * 30));
  EXPECT_TRUE(sweep().empty());
  EXPECT_FALSE(get("j1").start_deadline);
  const Job running = store_->claim(claim_request()).value().front().job;
  EXPECT_FALSE(running.run_deadline);
  EXPECT_EQ(running.lease_expires_at, clock_.now() + 30s);
}

}  // namespace
}  // namespace genq
