// Retry and purge (docs/api.md, "Retry and purge"): a job that failed runs again under
// its own id; a purge cancels the client's pending jobs, all or one model's.
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class RetryPurge : public GenqTest {
 protected:
  HttpResponse retry(const std::string& id) const { return api().request("POST", "/api/v1/client/request-retry/" + id); }
  HttpResponse purge(const boost::json::value& body) const {
    return api().post_json("/api/v1/client/queue/purge", body);
  }
};

TEST_F(RetryPurge, AFailedJobRetriedRunsAgainUnderItsIdAndEndsDone) {
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker worker = manual_worker();
  const auto first = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(first);
  ASSERT_EQ(worker.fail(*first, "CUDA out of memory", false).status, 200);
  ASSERT_TRUE(poll_status(api(), id, status_is("error"), kJobDeadline));

  const HttpResponse retried = retry(id);
  ASSERT_EQ(retried.status, 200) << retried.describe();
  EXPECT_EQ(text_at(retried.json(), "/data/request_id"), id);
  EXPECT_EQ(text_at(retried.json(), "/data/status"), "pending");
  EXPECT_TRUE(retried.json().at_pointer("/data/error").is_null()) << retried.body;

  const auto second = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(second) << "the retried job was never handed out again";
  EXPECT_EQ(second->attempt, 1) << "attempts start over";
  ASSERT_EQ(worker.finish(*second).status, 200);
  const auto done = poll_status(api(), id, status_is("done"), kJobDeadline);
  ASSERT_TRUE(done);
  EXPECT_NE(field(*done, "result_url"), "");
}

TEST_F(RetryPurge, RetryRefusesWhatDidNotFailAndWhatIsNotTheClients) {
  const std::string pending = submit(requests().minimal("txt2img"));
  const HttpResponse not_failed = retry(pending);
  EXPECT_EQ(not_failed.status, 409) << not_failed.describe();
  EXPECT_NE(text_at(not_failed.json(), "/message").find("ended in error"), std::string::npos) << not_failed.body;

  ASSERT_EQ(api().request("POST", "/api/v1/client/request-cancel/" + pending).status, 200);
  const HttpResponse cancelled = retry(pending);
  EXPECT_EQ(cancelled.status, 409) << cancelled.describe();
  EXPECT_NE(text_at(cancelled.json(), "/message").find("cancelled"), std::string::npos) << cancelled.body;

  EXPECT_EQ(retry("00000000-0000-4000-8000-000000000000").status, 404);
  const ClientCredentials other = server().create_client("other");
  const HttpResponse by_other = server().client_http(other).request("POST", "/api/v1/client/request-retry/" + pending);
  EXPECT_EQ(by_other.status, 404) << by_other.describe();
}

TEST_F(RetryPurge, APurgeCancelsThePendingJobsOfTheModelGivenAndTellsWhich) {
  JobRequest image = requests().minimal("txt2img");
  const std::string running = submit(image);
  const ManualWorker worker = manual_worker();
  ASSERT_TRUE(worker.claim_job(running, kJobDeadline));
  std::vector<std::string> queued;
  for (int i = 0; i < 3; ++i) queued.push_back(submit(image));
  const std::string other_task = submit(requests().minimal("txt2audio"));

  const HttpResponse bad = purge({{"model", "NoSuchModel"}, {"colour", "red"}});
  EXPECT_EQ(bad.status, 422) << bad.describe();
  EXPECT_TRUE(bad.json().at_pointer("/errors/model").is_array()) << bad.body;
  EXPECT_TRUE(bad.json().at_pointer("/errors/colour").is_array()) << bad.body;

  const std::string model = text_at(api().get("/api/v1/client/request-status/" + queued[0]).json(), "/data/model");
  const HttpResponse purged = purge({{"model", model}});
  ASSERT_EQ(purged.status, 200) << purged.describe();
  EXPECT_EQ(purged.json().at_pointer("/data/cancelled").as_int64(), 3) << purged.body;
  const boost::json::value purged_body = purged.json();
  std::vector<std::string> ids;
  for (const auto& v : purged_body.at_pointer("/data/request_ids").as_array()) ids.emplace_back(v.as_string());
  std::sort(ids.begin(), ids.end());
  std::sort(queued.begin(), queued.end());
  EXPECT_EQ(ids, queued);
  for (const std::string& id : queued) {
    EXPECT_EQ(field(*status_of(id), "error"), "cancelled") << id;
  }
  EXPECT_EQ(field(*status_of(running), "status"), "processing");
  EXPECT_EQ(field(*status_of(other_task), "status"), "pending");

  // No body: everything still pending.
  const HttpResponse all = api().request("POST", "/api/v1/client/queue/purge");
  ASSERT_EQ(all.status, 200) << all.describe();
  EXPECT_EQ(all.json().at_pointer("/data/cancelled").as_int64(), 1) << all.body;
  EXPECT_EQ(field(*status_of(other_task), "error"), "cancelled");
}

}  // namespace
}  // namespace genq::testing
