// Deadlines through the real binary (docs/api.md, "Deadlines"): cancel_after ends a job
// no worker started, execution_timeout ends an attempt that ran too long and tells its
// worker to stop; both fields validated in both dialects.
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class Deadlines : public GenqTest {
 protected:
  JobRequest image_with(boost::json::object deadlines) const {
    JobRequest request = requests().minimal("txt2img");
    for (auto& [key, value] : deadlines) request.fields[key] = value;
    return request;
  }
};

TEST_F(Deadlines, AJobNoWorkerStartedWithinCancelAfterEndsExpiredAndARetryRunsIt) {
  const std::string id = submit(image_with({{"cancel_after", 1}}));
  const auto expired = poll_status(api(), id, status_is("error"), kJobDeadline);
  ASSERT_TRUE(expired) << "still not expired";
  EXPECT_EQ(field(*expired, "error"), "expired: no worker started it within cancel_after (1 s)");

  const ManualWorker worker = manual_worker();
  EXPECT_TRUE(worker.claim().empty()) << "an expired job is never handed out";

  const HttpResponse retried = api().request("POST", "/api/v1/client/request-retry/" + id);
  ASSERT_EQ(retried.status, 200) << retried.describe();
  const auto claimed = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(claimed) << "the retry waits its cancel_after again, from the retry";
  ASSERT_EQ(worker.finish(*claimed).status, 200);
  EXPECT_TRUE(poll_status(api(), id, status_is("done"), kJobDeadline));
}

TEST_F(Deadlines, AnAttemptPastItsExecutionTimeoutFailsAndItsWorkerIsToldToStop) {
  const std::string id = submit(image_with({{"execution_timeout", 1}}));
  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->raw.at("execution_timeout_ms").as_int64(), 1000);
  ASSERT_EQ(worker.progress(*job, 10).status, 200);

  // The worker keeps reporting, as a stuck model's worker would, until it is told.
  const bool told = wait_until(kJobDeadline, [&] { return worker.heartbeat(*job).status == 409; });
  ASSERT_TRUE(told) << "the worker was never told its job ended";
  const auto failed = status_of(id);
  ASSERT_TRUE(failed);
  EXPECT_EQ(field(*failed, "status"), "error");
  EXPECT_EQ(field(*failed, "error"), "execution timeout: the attempt ran longer than execution_timeout (1 s)");
  EXPECT_TRUE(worker.claim().empty()) << "attempts were left, yet a timed-out job is not retried";
  EXPECT_EQ(worker.complete(*job).status, 409) << "a late completion is refused";
}

TEST_F(Deadlines, DeadlineFieldsAreValidatedInBothDialects) {
  for (const boost::json::value& bad : {boost::json::value(0), boost::json::value(-5), boost::json::value(1.5),
                                        boost::json::value(86'401), boost::json::value("10"),
                                        boost::json::value(true), boost::json::value(1e300)}) {
    for (const char* name : {"cancel_after", "execution_timeout"}) {
      const HttpResponse answer = image_with({{name, bad}}).submit(api());
      EXPECT_EQ(answer.status, 422) << name << "=" << boost::json::serialize(bad) << ": " << answer.describe();
      const boost::json::value body = answer.json();
      const boost::json::value* errors = body.as_object().if_contains("errors");
      ASSERT_TRUE(errors && errors->as_object().contains(name)) << answer.body;
      EXPECT_NE(std::string(errors->as_object().at(name).as_array().at(0).as_string()).find("1 to 86400"),
                std::string::npos)
          << answer.body;
    }
  }
  EXPECT_EQ(image_with({{"cancel_after", 86'400}, {"execution_timeout", 30.0}}).submit(api()).status, 200);

  boost::json::object input{{"mode", "text-to-image"}, {"prompt", "a lighthouse"}};
  const HttpResponse bad_task =
      api().post_json("/api/v1/generateTask/Flux1schnell", boost::json::object{{"input", input}, {"cancel_after", 0}});
  EXPECT_EQ(bad_task.status, 422) << bad_task.describe();
  EXPECT_NE(bad_task.body.find("cancel_after"), std::string::npos) << bad_task.body;
  const HttpResponse task = api().post_json("/api/v1/generateTask/Flux1schnell",
                                            boost::json::object{{"input", input}, {"cancel_after", 1}});
  ASSERT_EQ(task.status, 200) << task.describe();
  const std::string task_id(task.json().at_pointer("/data/taskId").as_string());
  const bool expired = wait_until(kJobDeadline, [&] {
    const HttpResponse status = api().get("/api/v1/statusTask/Flux1schnell?taskId=" + task_id);
    return status.status == 200 && status.body.find("expired") != std::string::npos;
  });
  EXPECT_TRUE(expired) << "the second dialect's cancel_after never ended the job";
}

}  // namespace
}  // namespace genq::testing
