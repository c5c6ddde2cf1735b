// Every Store (SQLite and PostgreSQL): the file a worker uploaded is recorded with its
// job under the lease, survives a restart, becomes the result at complete, and is
// handed to retention once, also when the job never completed.
#include <gtest/gtest.h>

#include <algorithm>

#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class StoreUploads : public StoreFixture {
 protected:
  std::vector<std::string> expire_sorted(TimePoint before) {
    Result<std::vector<std::string>> keys = store_->expire_results(before);
    EXPECT_TRUE(keys) << keys.error().message;
    std::vector<std::string> sorted = keys ? *keys : std::vector<std::string>{};
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }
};

GENQ_STORE_SUITE(StoreUploads);

TEST_P(StoreUploads, RecordedUploadIsPartOfTheJobAndSurvivesARestart) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  Result<Job> recorded = store_->record_upload(lease, "results/job-1/output.png", "image/png");
  ASSERT_TRUE(recorded) << recorded.error().message;
  EXPECT_EQ(recorded->upload_blob, "results/job-1/output.png");
  EXPECT_EQ(recorded->upload_mime, "image/png");
  EXPECT_EQ(recorded->status, JobStatus::Processing) << "recording a file is no transition";

  reopen();
  Job job = get("job-1");
  EXPECT_EQ(job.upload_blob, "results/job-1/output.png");
  EXPECT_EQ(job.upload_mime, "image/png");
  EXPECT_EQ(job.lease_id, lease.lease_id);
}

TEST_P(StoreUploads, AnotherUploadReplacesTheRecord) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  ASSERT_TRUE(store_->record_upload(lease, "results/job-1/output.png", "image/png"));
  ASSERT_TRUE(store_->record_upload(lease, "results/job-1/output.webp", "image/webp"));
  EXPECT_EQ(get("job-1").upload_blob, "results/job-1/output.webp");
  EXPECT_EQ(get("job-1").upload_mime, "image/webp");
}

TEST_P(StoreUploads, RecordingNeedsTheCurrentLease) {
  submit(new_job("job-1"));
  LeaseRef lease = claim_one();
  Result<Job> stale = store_->record_upload({"job-1", "not-the-lease"}, "results/job-1/output.png", "image/png");
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().kind, ErrorKind::Conflict);
  ASSERT_TRUE(store_->cancel("job-1", "cl_1"));
  Result<Job> after_cancel = store_->record_upload(lease, "results/job-1/output.png", "image/png");
  ASSERT_FALSE(after_cancel);
  EXPECT_EQ(after_cancel.error().kind, ErrorKind::Conflict);
  EXPECT_EQ(get("job-1").upload_blob, "");
  Result<Job> missing = store_->record_upload({"no-such-job", "x"}, "results/x/output.png", "image/png");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
}

TEST_P(StoreUploads, CancelledJobHandsItsUploadToTheCaller) {
  submit(new_job("job-1"));
  ASSERT_TRUE(store_->record_upload(claim_one(), "results/job-1/output.png", "image/png"));
  Result<Job> cancelled = store_->cancel("job-1", "cl_1");
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  EXPECT_EQ(cancelled->upload_blob, "results/job-1/output.png") << "the service removes it from the answer";
}

TEST_P(StoreUploads, RetentionReturnsTheUploadOnceAlsoWithoutCompletion) {
  NewJob completed = new_job("completed");
  completed.inputs_json = R"({"image":"inputs/completed/image.png"})";
  submit(completed);
  LeaseRef lease = claim_one();
  ASSERT_TRUE(store_->record_upload(lease, "results/completed/output.png", "image/png"));
  ASSERT_TRUE(store_->complete(lease, JobResult{"results/completed/output.png", "image/png", std::nullopt}));

  submit(new_job("failed"));
  LeaseRef failed = claim_one();
  ASSERT_TRUE(store_->record_upload(failed, "results/failed/output.png", "image/png"));
  ASSERT_TRUE(store_->fail(failed, "out of memory", false, ""));
  clock_.advance(1h);

  EXPECT_EQ(expire_sorted(clock_.now()),
            (std::vector<std::string>{"inputs/completed/image.png", "results/completed/output.png",
                                      "results/failed/output.png"}));
  EXPECT_EQ(get("failed").upload_blob, "");
  EXPECT_EQ(get("completed").upload_blob, "");
  EXPECT_TRUE(expire_sorted(clock_.now()).empty()) << "keys are handed out once";
}

}  // namespace
}  // namespace genq
