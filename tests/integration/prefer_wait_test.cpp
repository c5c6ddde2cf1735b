// Sync mode (docs/api.md, "Waiting for the result"): `Prefer: wait[=N]` holds a submit
// until the job is final or N seconds pass, then answers the status document, with
// Preference-Applied, and Location while the job is not final. Both dialects.
#include <future>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class PreferWait : public GenqTest {
 protected:
  HttpResponse submit_waiting(const std::string& prefer) const {
    return requests().minimal("txt2img").submit(api(), {{"Prefer", prefer}});
  }
};

TEST_F(PreferWait, AJobFinishedWithinTheWaitIsAnsweredDoneWithItsResult) {
  const ManualWorker worker = manual_worker();
  auto held = std::async(std::launch::async, [this] { return submit_waiting("wait=30"); });
  // The submit is held: the worker claims the job it made and finishes it.
  const auto job = worker.claim(kJobDeadline);
  ASSERT_EQ(job.size(), 1u);
  ASSERT_EQ(held.wait_for(0s), std::future_status::timeout) << "answered before the job was final";
  ASSERT_EQ(worker.finish(job[0]).status, 200);

  ASSERT_EQ(held.wait_for(kJobDeadline), std::future_status::ready);
  const HttpResponse answer = held.get();
  ASSERT_EQ(answer.status, 200) << answer.describe();
  EXPECT_EQ(answer.header("Preference-Applied"), "wait=30");
  EXPECT_FALSE(answer.header("Location")) << "a final job needs no status URL";
  const auto body = answer.json();
  EXPECT_EQ(text_at(body, "/data/request_id"), job[0].job_id);
  EXPECT_EQ(text_at(body, "/data/status"), "done");
  EXPECT_NE(text_at(body, "/data/result_url"), "");
  EXPECT_EQ(answer.json().at_pointer("/data/progress").to_number<double>(), 100.0);
}

TEST_F(PreferWait, AJobStillPendingWhenTheWaitEndsIsAnsweredAsItStandsWithItsStatusUrl) {
  const HttpResponse answer = submit_waiting("respond-async, wait=1");
  ASSERT_EQ(answer.status, 200) << answer.describe();
  EXPECT_GE(answer.elapsed, 1s) << "answered before the wait ran out";
  EXPECT_LT(answer.elapsed, 10s);
  EXPECT_EQ(answer.header("Preference-Applied"), "wait=1");
  const auto body = answer.json();
  const std::string id = text_at(body, "/data/request_id");
  EXPECT_EQ(text_at(body, "/data/status"), "pending");
  EXPECT_EQ(body.at_pointer("/data/queue_position").as_int64(), 0);
  EXPECT_EQ(answer.header("Location"), "/api/v1/client/request-status/" + id);
  // The job goes on: polling its Location finds it.
  const auto polled = api().get(*answer.header("Location"));
  EXPECT_EQ(polled.status, 200) << polled.describe();
}

TEST_F(PreferWait, WithoutAWaitPreferenceTheSubmitAnswersAtOnceWithTheRequestIdOnly) {
  const HttpResponse answer = submit_waiting("respond-async");
  ASSERT_EQ(answer.status, 200) << answer.describe();
  EXPECT_FALSE(answer.header("Preference-Applied"));
  const auto data = answer.json().at("data").as_object();
  EXPECT_EQ(data.size(), 1u) << answer.body;
  EXPECT_TRUE(data.contains("request_id"));
}

TEST_F(PreferWait, AWaitOutsideOneToSixtySecondsIsRefusedAndMakesNoJob) {
  for (const std::string prefer : {"wait=0", "wait=61", "wait=abc", "wait=", "wait=-5", "wait=1.5"}) {
    const HttpResponse answer = submit_waiting(prefer);
    EXPECT_EQ(answer.status, 422) << prefer << ": " << answer.describe();
    if (answer.status == 422) {
      EXPECT_NE(text_at(answer.json(), "/message").find("from 1 to 60"), std::string::npos) << answer.body;
      EXPECT_TRUE(answer.json().at_pointer("/errors/Prefer").is_array()) << answer.body;
    }
  }
  EXPECT_TRUE(manual_worker().claim(200ms).empty()) << "a refused submit made a job";
}

TEST_F(PreferWait, TheTaskDialectHoldsGenerateTaskAndAnswersTheStatusTaskBody) {
  const boost::json::value body = {
      {"request_type", "async"},
      {"input", {{"mode", "text-to-image"}, {"prompt", "A beautiful sunset over mountains"}}}};
  const HttpResponse pending =
      api().post_json("/api/v1/generateTask/Flux1schnell", body, {{"Prefer", "wait=1"}});
  ASSERT_EQ(pending.status, 200) << pending.describe();
  EXPECT_EQ(pending.header("Preference-Applied"), "wait=1");
  EXPECT_EQ(pending.json().at("code").as_int64(), 200);
  const std::string task_id = text_at(pending.json(), "/data/taskId");
  EXPECT_EQ(task_id.rfind("task_", 0), 0u) << pending.body;
  EXPECT_EQ(pending.header("Location"), "/api/v1/statusTask/Flux1schnell?taskId=" + task_id);

  const HttpResponse refused =
      api().post_json("/api/v1/generateTask/Flux1schnell", body, {{"Prefer", "wait=90"}});
  EXPECT_EQ(refused.status, 422) << refused.describe();
  EXPECT_EQ(refused.json().at("code").as_int64(), 422) << refused.body;
}

}  // namespace
}  // namespace genq::testing
