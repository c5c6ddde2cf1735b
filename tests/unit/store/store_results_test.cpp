// Every Store (SQLite and PostgreSQL): expire_results hands back the blob keys of old final jobs, once.
#include <gtest/gtest.h>

#include <algorithm>

#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class StoreResults : public StoreFixture {
 protected:
  // Submits a job with the given inputs and completes it with `result_blob`.
  void finish(const std::string& id, const std::string& inputs_json, const std::string& result_blob) {
    NewJob job = new_job(id);
    job.inputs_json = inputs_json;
    submit(job);
    ASSERT_TRUE(store_->complete(claim_one(), JobResult{result_blob, "image/png", std::nullopt}));
  }

  std::vector<std::string> expire(TimePoint before) {
    Result<std::vector<std::string>> keys = store_->expire_results(before);
    EXPECT_TRUE(keys) << keys.error().message;
    std::vector<std::string> sorted = keys ? *keys : std::vector<std::string>{};
    std::sort(sorted.begin(), sorted.end());
    return sorted;
  }
};

GENQ_STORE_SUITE(StoreResults);

TEST_P(StoreResults, ExpireResultsReturnsResultAndInputKeysOnce) {
  finish("job-1", R"({"image":"in/1.png","mask":"in/1-mask.png"})", "out/1.png");
  clock_.advance(1h);

  EXPECT_EQ(expire(clock_.now()), (std::vector<std::string>{"in/1-mask.png", "in/1.png", "out/1.png"}));
  Job job = get("job-1");
  EXPECT_EQ(job.result_blob, "");
  EXPECT_EQ(job.inputs_json, "{}");
  EXPECT_EQ(job.status, JobStatus::Done) << "only the references go, not the job";
  EXPECT_TRUE(expire(clock_.now()).empty()) << "keys are handed out once";
}

TEST_P(StoreResults, ExpireResultsSkipsRecentAndUnfinishedJobs) {
  finish("old", "{}", "out/old.png");
  clock_.advance(2h);
  finish("recent", "{}", "out/recent.png");
  NewJob waiting = new_job("waiting");
  waiting.inputs_json = R"({"image":"in/waiting.png"})";
  submit(waiting);
  clock_.advance(1h);

  EXPECT_EQ(expire(clock_.now() - 90min), std::vector<std::string>{"out/old.png"});
  EXPECT_EQ(get("recent").result_blob, "out/recent.png");
  EXPECT_EQ(get("waiting").inputs_json, R"({"image":"in/waiting.png"})");
}

TEST_P(StoreResults, ExpireResultsCoversFailedAndCancelledJobsInputs) {
  NewJob failed = new_job("failed");
  failed.inputs_json = R"({"images":["in/a.png","in/b.png"]})";
  submit(failed);
  ASSERT_TRUE(store_->fail(claim_one(), "bad input", false, ""));
  NewJob cancelled = new_job("cancelled");
  cancelled.inputs_json = R"({"image":"in/c.png"})";
  submit(cancelled);
  ASSERT_TRUE(store_->cancel("cancelled", "cl_1"));
  clock_.advance(1s);

  EXPECT_EQ(expire(clock_.now()), (std::vector<std::string>{"in/a.png", "in/b.png", "in/c.png"}));
}

TEST_P(StoreResults, MalformedInputsAreClearedWithoutKeys) {
  finish("job-1", "not json", "out/1.png");
  clock_.advance(1s);
  EXPECT_EQ(expire(clock_.now()), std::vector<std::string>{"out/1.png"});
  EXPECT_EQ(get("job-1").inputs_json, "{}");
}

TEST_P(StoreResults, DeleteFinishedJobsTakesOnlyOldFinishedRowsWhoseFilesAreGone) {
  finish("old", R"({"image":"in/old.png"})", "out/old.png");
  clock_.advance(2h);
  finish("recent", "{}", "out/recent.png");
  submit(new_job("waiting"));
  clock_.advance(1h);

  Result<std::int64_t> none = store_->delete_finished_jobs(clock_.now() - 90min, 100);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(*none, 0) << "a row that still names files must not go before them";
  EXPECT_EQ(expire(clock_.now() - 90min), (std::vector<std::string>{"in/old.png", "out/old.png"}));

  Result<std::int64_t> deleted = store_->delete_finished_jobs(clock_.now() - 90min, 100);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_EQ(*deleted, 1);
  Result<Job> gone = store_->get("old");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::NotFound);
  EXPECT_EQ(get("recent").status, JobStatus::Done);
  EXPECT_EQ(get("waiting").status, JobStatus::Pending);
  EXPECT_EQ(store_->delete_finished_jobs(clock_.now() - 90min, 100).value(), 0);
}

TEST_P(StoreResults, DeleteFinishedJobsTakesTheirDeliveriesAndHonoursTheLimit) {
  for (const char* id : {"a", "b", "c"}) {
    NewJob job = new_job(id);
    job.webhook_url = "https://hooks.example.com/genq";
    submit(job);
    ASSERT_TRUE(store_->cancel(id, "cl_1"));  // ends in error and queues job.failed
  }
  ASSERT_EQ(store_->deliveries_for_job("a", "cl_1").value().size(), 1u);
  clock_.advance(1h);

  EXPECT_EQ(store_->delete_finished_jobs(clock_.now(), 2).value(), 2);
  EXPECT_EQ(store_->delete_finished_jobs(clock_.now(), 2).value(), 1);
  for (const char* id : {"a", "b", "c"}) {
    EXPECT_FALSE(store_->get(id)) << id;
    EXPECT_TRUE(store_->deliveries_for_job(id, "cl_1").value().empty()) << id << "'s delivery log outlived it";
  }
  Result<std::int64_t> pending = store_->count_pending_deliveries();
  ASSERT_TRUE(pending);
  EXPECT_EQ(*pending, 0);
}

TEST_P(StoreResults, AJobKeepsNoPreviewOnceFinal) {
  submit(new_job("done"));
  LeaseRef done = claim_one();
  ASSERT_TRUE(store_->progress(done, 50, std::string("\xff\xd8 preview"), 30s));
  ASSERT_EQ(get("done").preview_jpeg, "\xff\xd8 preview");
  ASSERT_TRUE(store_->complete(done, JobResult{"out/done.png", "image/png", std::nullopt}));
  EXPECT_EQ(get("done").preview_jpeg, "") << "complete";

  submit(new_job("failed"));
  LeaseRef failed = claim_one();
  ASSERT_TRUE(store_->progress(failed, 50, std::string("preview"), 30s));
  ASSERT_TRUE(store_->fail(failed, "out of memory", false, ""));
  EXPECT_EQ(get("failed").preview_jpeg, "") << "final failure";

  submit(new_job("cancelled"));
  LeaseRef cancelled = claim_one();
  ASSERT_TRUE(store_->progress(cancelled, 50, std::string("preview"), 30s));
  ASSERT_TRUE(store_->cancel("cancelled", "cl_1"));
  EXPECT_EQ(get("cancelled").preview_jpeg, "") << "cancel";
}

TEST_P(StoreResults, AnInlineResultExpiresWithTheFiles) {
  submit(new_job("text"));
  ASSERT_TRUE(store_->complete(claim_one(), JobResult{"out/text.txt", "text/plain", std::string("a transcript")}));
  ASSERT_EQ(get("text").result_text, std::optional<std::string>("a transcript"));
  clock_.advance(1h);
  EXPECT_EQ(expire(clock_.now()), std::vector<std::string>{"out/text.txt"});
  EXPECT_EQ(get("text").result_text, std::nullopt);
}

}  // namespace
}  // namespace genq
