// Every Store (SQLite and PostgreSQL): submit, get, claim, queue position, counts, queues by model, cancel,
// reopen.
#include <gtest/gtest.h>

#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class StoreJobs : public StoreFixture {};

GENQ_STORE_SUITE(StoreJobs);

TEST_P(StoreJobs, SubmitStoresPendingJobWithEveryField) {
  NewJob job = new_job("job-1");
  job.inputs_json = R"({"image":"in/abc.png"})";
  job.dialect = Dialect::Task;
  job.max_attempts = 5;
  job.webhook_url = "https://example.com/hook";
  job.webhook_secret = "whsec_x";

  Result<SubmitOutcome> outcome = store_->submit(job);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_TRUE(outcome->created);

  Job stored = get("job-1");
  EXPECT_EQ(stored.id, "job-1");
  EXPECT_GT(stored.seq, 0);
  EXPECT_EQ(stored.client_id, "cl_1");
  EXPECT_EQ(stored.task, "txt2img");
  EXPECT_EQ(stored.model, kModel);
  EXPECT_EQ(stored.params_json, R"({"prompt":"a cat"})");
  EXPECT_EQ(stored.inputs_json, R"({"image":"in/abc.png"})");
  EXPECT_EQ(stored.dialect, Dialect::Task);
  EXPECT_EQ(stored.status, JobStatus::Pending);
  EXPECT_FALSE(stored.progress);
  EXPECT_EQ(stored.attempts, 0);
  EXPECT_EQ(stored.max_attempts, 5);
  EXPECT_EQ(stored.webhook_url, "https://example.com/hook");
  EXPECT_EQ(stored.webhook_secret, "whsec_x");
  EXPECT_EQ(stored.created_at, clock_.now());
  EXPECT_FALSE(stored.started_at);
  EXPECT_FALSE(stored.finished_at);
  EXPECT_TRUE(stored.lease_id.empty());
  EXPECT_EQ(outcome->job.seq, stored.seq);
}

TEST_P(StoreJobs, SubmitAssignsIncreasingSeq) {
  Job first = submit(new_job("a"));
  Job second = submit(new_job("b"));
  EXPECT_LT(first.seq, second.seq);
}

TEST_P(StoreJobs, SubmitWithExistingIdIsConflict) {
  submit(new_job("dup"));
  Result<SubmitOutcome> again = store_->submit(new_job("dup"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::Conflict);
}

TEST_P(StoreJobs, GetUnknownJobIsNotFound) {
  Result<Job> job = store_->get("nope");
  ASSERT_FALSE(job);
  EXPECT_EQ(job.error().kind, ErrorKind::NotFound);
}

TEST_P(StoreJobs, ClaimLeasesOldestPendingJobFirst) {
  submit(new_job("first"));
  submit(new_job("second"));
  submit(new_job("third"));
  EXPECT_EQ(claim_one().job_id, "first");
  EXPECT_EQ(claim_one().job_id, "second");
  EXPECT_EQ(claim_one().job_id, "third");
}

TEST_P(StoreJobs, ClaimSetsLeaseAttemptsWorkerAndStartTime) {
  submit(new_job("job-1"));
  clock_.advance(2s);
  Result<std::vector<Lease>> leases = store_->claim(claim_request());
  ASSERT_TRUE(leases) << leases.error().message;
  ASSERT_EQ(leases->size(), 1u);
  const Job& leased = leases->front().job;
  EXPECT_EQ(leased.status, JobStatus::Processing);
  EXPECT_EQ(leased.attempts, 1);
  EXPECT_EQ(leased.worker_id, "wk_1");
  EXPECT_EQ(leased.lease_id.rfind("ls_", 0), 0u) << leased.lease_id;
  EXPECT_EQ(leased.lease_expires_at, clock_.now() + 30s);
  EXPECT_EQ(leased.started_at, clock_.now());
  EXPECT_EQ(get("job-1").lease_id, leased.lease_id);
}

TEST_P(StoreJobs, ClaimOnlyReturnsJobsOfRequestedModels) {
  submit(new_job("flux", "Flux1schnell"));
  submit(new_job("sdxl", "SDXL"));
  Result<std::vector<Lease>> leases = store_->claim(claim_request({"SDXL"}, 10));
  ASSERT_TRUE(leases) << leases.error().message;
  ASSERT_EQ(leases->size(), 1u);
  EXPECT_EQ(leases->front().job.id, "sdxl");
  EXPECT_EQ(get("flux").status, JobStatus::Pending);
}

TEST_P(StoreJobs, ClaimTakesUpToMaxJobsAcrossModelsInSubmitOrder) {
  submit(new_job("a1", "A"));
  submit(new_job("b1", "B"));
  submit(new_job("c1", "C"));
  submit(new_job("a2", "A"));
  submit(new_job("b2", "B"));
  Result<std::vector<Lease>> leases = store_->claim(claim_request({"B", "A", "A"}, 3));
  ASSERT_TRUE(leases) << leases.error().message;
  ASSERT_EQ(leases->size(), 3u);
  EXPECT_EQ(leases->at(0).job.id, "a1");
  EXPECT_EQ(leases->at(1).job.id, "b1");
  EXPECT_EQ(leases->at(2).job.id, "a2");
  EXPECT_NE(leases->at(0).job.lease_id, leases->at(1).job.lease_id);
  EXPECT_EQ(get("b2").status, JobStatus::Pending);
  EXPECT_EQ(get("c1").status, JobStatus::Pending);
}

TEST_P(StoreJobs, ClaimReturnsEmptyWhenNothingWaits) {
  Result<std::vector<Lease>> none = store_->claim(claim_request());
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty());

  submit(new_job("job-1"));
  Result<std::vector<Lease>> no_models = store_->claim(claim_request({}));
  ASSERT_TRUE(no_models) << no_models.error().message;
  EXPECT_TRUE(no_models->empty());
}

TEST_P(StoreJobs, QueuePositionCountsPendingJobsOfSameModelAhead) {
  Job first = submit(new_job("first"));
  submit(new_job("other-model", "SDXL"));
  Job second = submit(new_job("second"));
  Job third = submit(new_job("third"));

  EXPECT_EQ(store_->queue_position(first).value(), std::optional<std::int64_t>(0));
  EXPECT_EQ(store_->queue_position(second).value(), std::optional<std::int64_t>(1));
  EXPECT_EQ(store_->queue_position(third).value(), std::optional<std::int64_t>(2));

  claim_one();  // takes "first"
  EXPECT_EQ(store_->queue_position(first).value(), std::nullopt);
  EXPECT_EQ(store_->queue_position(third).value(), std::optional<std::int64_t>(1));
}

TEST_P(StoreJobs, QueuePositionOfUnknownJobIsNotFound) {
  Job ghost;
  ghost.id = "ghost";
  Result<std::optional<std::int64_t>> position = store_->queue_position(ghost);
  ASSERT_FALSE(position);
  EXPECT_EQ(position.error().kind, ErrorKind::NotFound);
}

TEST_P(StoreJobs, CountByStatusCountsEachLiveStatus) {
  for (const char* id : {"a", "b", "c", "d", "e"}) {
    submit(new_job(id));
  }
  LeaseRef done = claim_one();
  ASSERT_TRUE(store_->complete(done, JobResult{"out/a.png", "image/png", std::nullopt}));
  LeaseRef progressing = claim_one();
  ASSERT_TRUE(store_->progress(progressing, 10, std::nullopt, 30s));
  claim_one();
  ASSERT_TRUE(store_->cancel("e", "cl_1"));

  Result<StatusCounts> counts = store_->count_by_status();
  ASSERT_TRUE(counts) << counts.error().message;
  EXPECT_EQ(counts->pending, 1);
  EXPECT_EQ(counts->processing, 1);
  EXPECT_EQ(counts->in_progress, 1);  // the done and the cancelled job are not counted
}

TEST_P(StoreJobs, PendingByModelGivesEachQueuesDepthAndOldestSubmit) {
  const TimePoint first_submit = clock_.now();
  submit(new_job("flux-1"));
  clock_.advance(5s);
  submit(new_job("sdxl-1", "SDXL"));
  submit(new_job("flux-2"));
  submit(new_job("flux-3"));
  claim_one();  // takes flux-1: the oldest pending Flux job is now flux-2

  Result<std::vector<ModelQueue>> queues = store_->pending_by_model();
  ASSERT_TRUE(queues) << queues.error().message;
  ASSERT_EQ(queues->size(), 2u);
  EXPECT_EQ((*queues)[0].model, kModel);
  EXPECT_EQ((*queues)[0].pending, 2);
  EXPECT_EQ((*queues)[0].oldest_created_at, first_submit + 5s);
  EXPECT_EQ((*queues)[1].model, "SDXL");
  EXPECT_EQ((*queues)[1].pending, 1);

  ASSERT_TRUE(store_->cancel("sdxl-1", "cl_1"));
  queues = store_->pending_by_model();
  ASSERT_TRUE(queues) << queues.error().message;
  ASSERT_EQ(queues->size(), 1u) << "a model with nothing pending is left out";
  EXPECT_EQ((*queues)[0].model, kModel);
}

TEST_P(StoreJobs, CancelPendingJobEndsInErrorCancelled) {
  submit(new_job("job-1"));
  clock_.advance(5s);
  Result<Job> cancelled = store_->cancel("job-1", "cl_1");
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_EQ(cancelled->status, JobStatus::Error);
  EXPECT_EQ(cancelled->error, "cancelled");
  EXPECT_EQ(cancelled->finished_at, clock_.now());
  EXPECT_EQ(get("job-1").status, JobStatus::Error);
  Result<std::vector<Lease>> leases = store_->claim(claim_request());
  ASSERT_TRUE(leases);
  EXPECT_TRUE(leases->empty()) << "a cancelled job must not be claimed";
}

TEST_P(StoreJobs, CancelByAnotherClientIsNotFound) {
  submit(new_job("job-1"));
  Result<Job> cancelled = store_->cancel("job-1", "cl_other");
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().kind, ErrorKind::NotFound);
  EXPECT_EQ(get("job-1").status, JobStatus::Pending);
}

TEST_P(StoreJobs, CancelUnknownJobIsNotFound) {
  Result<Job> cancelled = store_->cancel("nope", "cl_1");
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().kind, ErrorKind::NotFound);
}

TEST_P(StoreJobs, CancelFinalJobIsConflict) {
  submit(new_job("job-1"));
  ASSERT_TRUE(store_->complete(claim_one(), JobResult{"out/1.png", "image/png", std::nullopt}));
  Result<Job> cancelled = store_->cancel("job-1", "cl_1");
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().kind, ErrorKind::Conflict);
  EXPECT_EQ(cancelled.error().message, "job is already final");
}

TEST_P(StoreJobs, ReopenKeepsJobsLeasesAndOrder) {
  submit(new_job("first"));
  submit(new_job("second"));
  LeaseRef lease = claim_one();
  reopen();

  Job first = get("first");
  EXPECT_EQ(first.status, JobStatus::Processing);
  EXPECT_EQ(first.lease_id, lease.lease_id);
  ASSERT_TRUE(store_->heartbeat(lease, 30s)) << "a lease survives a restart";
  EXPECT_EQ(claim_one().job_id, "second");

  Job third = submit(new_job("third"));
  EXPECT_GT(third.seq, first.seq);
}

TEST_P(StoreJobs, SecondStoreOnSameDatabaseSeesCommittedWrites) {
  // What `genq admin` does while the server runs (its own store on the same file),
  // and what a second node does on the same PostgreSQL database.
  std::unique_ptr<Store> other = open_store();
  ASSERT_TRUE(other);
  ASSERT_TRUE(other->submit(new_job("from-other")));
  EXPECT_EQ(get("from-other").status, JobStatus::Pending);
  submit(new_job("from-main"));
  Result<Job> seen = other->get("from-main");
  ASSERT_TRUE(seen) << seen.error().message;
}

}  // namespace
}  // namespace genq
