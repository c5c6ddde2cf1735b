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

}  // namespace
}  // namespace genq
