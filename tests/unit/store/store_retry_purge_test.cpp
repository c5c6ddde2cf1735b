// Every Store: a client's retry of a failed job and purge of its pending ones.
#include <gtest/gtest.h>

#include <algorithm>

#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class StoreRetryPurge : public StoreFixture {
 protected:
  // Submits `id`, claims it and fails it for good; returns it as failed.
  Job failed_job(const std::string& id) {
    submit(new_job(id));
    LeaseRef lease = claim_one();
    Result<Job> failed = store_->fail(lease, "out of memory", false, "");
    EXPECT_TRUE(failed) << failed.error().message;
    return failed ? *failed : Job{};
  }

  std::vector<std::string> ids_of(const std::vector<Job>& jobs) {
    std::vector<std::string> ids;
    for (const Job& job : jobs) ids.push_back(job.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

GENQ_STORE_SUITE(StoreRetryPurge);

TEST_P(StoreRetryPurge, ARetriedJobIsPendingAgainWithNothingLeftOfItsFailedRun) {
  const Job failed = failed_job("job-1");
  ASSERT_EQ(failed.status, JobStatus::Error);
  ASSERT_EQ(failed.attempts, 1);

  Result<Job> retried = store_->retry("job-1", "cl_1");
  ASSERT_TRUE(retried) << retried.error().message;
  EXPECT_EQ(retried->status, JobStatus::Pending);
  EXPECT_EQ(retried->seq, failed.seq) << "a retried job keeps its place";
  EXPECT_EQ(retried->params_json, failed.params_json);
  EXPECT_EQ(retried->attempts, 0);
  EXPECT_EQ(retried->error, "");
  EXPECT_FALSE(retried->progress);
  EXPECT_FALSE(retried->started_at);
  EXPECT_FALSE(retried->finished_at);
  EXPECT_TRUE(retried->lease_id.empty());
  EXPECT_TRUE(retried->upload_blob.empty());
  EXPECT_GT(retried->version, failed.version);

  // It runs again from its first attempt.
  Result<std::vector<Lease>> leases = store_->claim(claim_request());
  ASSERT_TRUE(leases);
  ASSERT_EQ(leases->size(), 1u);
  EXPECT_EQ(leases->front().job.id, "job-1");
  EXPECT_EQ(leases->front().job.attempts, 1);
}

TEST_P(StoreRetryPurge, OnlyTheOwnersJobsThatFailedCanBeRetried) {
  failed_job("failed");
  Result<Job> by_other = store_->retry("failed", "cl_other");
  ASSERT_FALSE(by_other);
  EXPECT_EQ(by_other.error().kind, ErrorKind::NotFound);
  Result<Job> unknown = store_->retry("nope", "cl_1");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::NotFound);

  submit(new_job("pending"));
  Result<Job> pending = store_->retry("pending", "cl_1");
  ASSERT_FALSE(pending);
  EXPECT_EQ(pending.error().kind, ErrorKind::Conflict);

  ASSERT_TRUE(store_->cancel("pending", "cl_1"));
  Result<Job> cancelled = store_->retry("pending", "cl_1");
  ASSERT_FALSE(cancelled);
  EXPECT_EQ(cancelled.error().kind, ErrorKind::Conflict);
  EXPECT_NE(cancelled.error().message.find("cancelled"), std::string::npos) << cancelled.error().message;

  submit(new_job("done"));
  LeaseRef lease = claim_one();
  ASSERT_TRUE(store_->complete(lease, JobResult{"results/r.png", "image/png", std::nullopt}));
  Result<Job> done = store_->retry("done", "cl_1");
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().kind, ErrorKind::Conflict);
  EXPECT_EQ(get("done").status, JobStatus::Done);
}

TEST_P(StoreRetryPurge, APurgeCancelsOnlyTheClientsPendingJobsThatMatch) {
  submit(new_job("running", kModel));
  claim_one();  // "running" is processing: a purge leaves it alone
  submit(new_job("a-1", kModel));
  submit(new_job("a-2", kModel));
  submit(new_job("b-1", "OtherModel"));
  submit(new_job("theirs", kModel, "cl_2"));
  NewJob hooked = new_job("hooked", "OtherModel");
  hooked.webhook_url = "https://hooks.example.com/genq";
  submit(hooked);

  clock_.advance(3s);
  Result<std::vector<Job>> by_model = store_->purge_pending(PurgeRequest{"cl_1", "", kModel});
  ASSERT_TRUE(by_model) << by_model.error().message;
  EXPECT_EQ(ids_of(*by_model), (std::vector<std::string>{"a-1", "a-2"}));
  for (const Job& job : *by_model) {
    EXPECT_EQ(job.status, JobStatus::Error);
    EXPECT_EQ(job.error, "cancelled");
    EXPECT_EQ(job.finished_at, clock_.now());
  }
  EXPECT_EQ(get("b-1").status, JobStatus::Pending);

  Result<std::vector<Job>> wrong_task = store_->purge_pending(PurgeRequest{"cl_1", "img2img", ""});
  ASSERT_TRUE(wrong_task);
  EXPECT_TRUE(wrong_task->empty());

  Result<std::vector<Job>> rest = store_->purge_pending(PurgeRequest{"cl_1", "txt2img", ""});
  ASSERT_TRUE(rest) << rest.error().message;
  EXPECT_EQ(ids_of(*rest), (std::vector<std::string>{"b-1", "hooked"}));
  EXPECT_EQ(get("running").status, JobStatus::Processing);
  EXPECT_EQ(get("theirs").status, JobStatus::Pending);

  // Each purged job reports its end as a cancel does: job.failed to its webhook.
  Result<std::vector<DeliveryRecord>> deliveries = store_->deliveries_for_job("hooked", "cl_1");
  ASSERT_TRUE(deliveries) << deliveries.error().message;
  ASSERT_EQ(deliveries->size(), 1u);
  EXPECT_EQ(deliveries->front().event, "job.failed");
}

}  // namespace
}  // namespace genq
