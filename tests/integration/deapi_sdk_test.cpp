// genq's answers held to what deAPI's official Python SDK (deapi-python-sdk 0.1.0)
// sends and accepts (docs/api.md, "deAPI SDK compatibility"): the polling document's
// types across a job's life, 403 for suspended accounts, base URLs with a trailing
// slash, X-RateLimit-Type on 429, and GET /balance. Billing has its own file.
#include <boost/json/parse.hpp>

#include <set>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class DeapiSdk : public GenqTest {};

// The SDK's JobResult: status one of four, progress a float (never null), result a
// string or null, results_alt_formats a dict or null.
void expect_job_result_shape(const boost::json::object& data, const std::string& when) {
  static const std::set<std::string> kStatuses = {"pending", "processing", "done", "error"};
  const auto* status = data.if_contains("status");
  ASSERT_TRUE(status != nullptr && status->is_string()) << when << ": " << boost::json::serialize(data);
  EXPECT_TRUE(kStatuses.contains(std::string(status->get_string()))) << when << ": " << status->get_string();
  const auto* progress = data.if_contains("progress");
  ASSERT_TRUE(progress != nullptr && progress->is_number()) << when << ": " << boost::json::serialize(data);
  const auto* result = data.if_contains("result");
  ASSERT_TRUE(result != nullptr && (result->is_null() || result->is_string())) << when;
  const auto* alt = data.if_contains("results_alt_formats");
  ASSERT_TRUE(alt != nullptr && (alt->is_null() || alt->is_object())) << when;
  for (const char* key : {"preview", "result_url"}) {
    const auto* value = data.if_contains(key);
    ASSERT_TRUE(value != nullptr && (value->is_null() || value->is_string())) << when << ": " << key;
  }
}

TEST_F(DeapiSdk, PollingDocumentHasTheSdksTypesThroughoutAFailedJob) {
  const std::string id = submit(requests().minimal("txt2img"));
  auto pending = status_of(id);
  ASSERT_TRUE(pending);
  expect_job_result_shape(*pending, "pending");
  EXPECT_EQ(field(*pending, "status"), "pending");
  EXPECT_EQ(pending->at("progress").to_number<double>(), 0.0);

  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  auto claimed = status_of(id);
  ASSERT_TRUE(claimed);
  expect_job_result_shape(*claimed, "claimed");
  EXPECT_EQ(field(*claimed, "status"), "processing");
  EXPECT_EQ(claimed->at("progress").to_number<double>(), 0.0);

  ASSERT_EQ(worker.progress(*job, 45.5).status, 200);
  auto running = status_of(id);
  ASSERT_TRUE(running);
  expect_job_result_shape(*running, "running");
  EXPECT_EQ(field(*running, "status"), "processing") << "in_progress polls as processing";
  EXPECT_DOUBLE_EQ(running->at("progress").to_number<double>(), 45.5);

  ASSERT_EQ(worker.fail(*job, "CUDA out of memory", false).status, 200);
  auto failed = status_of(id);
  ASSERT_TRUE(failed);
  expect_job_result_shape(*failed, "error");
  EXPECT_EQ(field(*failed, "status"), "error");
  EXPECT_DOUBLE_EQ(failed->at("progress").to_number<double>(), 45.5) << "the last progress, still a number";
  EXPECT_TRUE(failed->at("result").is_null());
  EXPECT_TRUE(failed->at("results_alt_formats").is_null());
  EXPECT_EQ(field(*failed, "error"), "CUDA out of memory");
}

TEST_F(DeapiSdk, PollingDocumentOfADoneJob) {
  const std::string id = submit(requests().minimal("txt2img"));
  const auto done = finish_by_hand(id);
  expect_job_result_shape(done, "done");
  EXPECT_EQ(done.at("progress").to_number<double>(), 100.0);
  EXPECT_TRUE(done.at("result_url").is_string());
}

// The SDK joins base_url + "/api/v1/client/..."; a base URL ending in "/" doubles the
// slash. Trailing slashes route too.
TEST_F(DeapiSdk, DoubledAndTrailingSlashesRouteAsWithout) {
  const auto models = api().get("//api/v1/client/models");
  ASSERT_EQ(models.status, 200) << models.describe();
  EXPECT_EQ(api().get("/api/v1/client/models/?per_page=1").status, 200);
  const auto submitted = api().post_json("//api/v1/client/txt2img", requests().minimal("txt2img").fields);
  ASSERT_EQ(submitted.status, 200) << submitted.describe();
  const std::string id = request_id_of(submitted);
  const auto status = api().get("//api/v1/client/request-status/" + id + "/");
  ASSERT_EQ(status.status, 200) << status.describe();
  EXPECT_EQ(text_at(status.json(), "/data/request_id"), id);
  const auto price = api().post_json("//api/v1/client/txt2img/price-calculation/", requests().minimal("txt2img").fields);
  EXPECT_EQ(price.status, 200) << price.describe();
}

TEST_F(DeapiSdk, BalanceChecksTheKeyFirstAndAnswersTheSdksShape) {
  for (const auto& http : {server().http(), server().http().with_bearer("gq_wrong")}) {
    const auto refused = http.get("/api/v1/client/balance");
    EXPECT_EQ(refused.status, 401) << refused.describe();
    EXPECT_EQ(text_at(refused.json(), "/message"), "Unauthenticated.");
  }
  const auto balance = api().get("/api/v1/client/balance");
  ASSERT_EQ(balance.status, 200) << balance.describe();
  const auto body = balance.json();
  const auto* amount = json_at(body, "/data/balance");
  ASSERT_TRUE(amount != nullptr && amount->is_number()) << balance.describe();
  EXPECT_EQ(amount->to_number<double>(), 0.0);
  EXPECT_EQ(text_at(body, "/data/currency"), "USD");
  // Billing is off by default: nothing is charged or refused.
  EXPECT_EQ(text_at(body, "/data/unlimited"), "true");
  EXPECT_EQ(text_at(body, "/data/billing_enabled"), "false");
  const auto job = requests().minimal("txt2img").submit(api());
  EXPECT_EQ(job.status, 200) << "no balance needed without --billing: " << job.describe();
}

class DeapiSdkMinuteLimit : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override { return {"--rate-limit-per-minute", "1"}; }
};

// The SDK's RateLimitError reads Retry-After and X-RateLimit-Type.
TEST_F(DeapiSdkMinuteLimit, TooManyRequestsNamesTheMinuteWindow) {
  ASSERT_EQ(requests().minimal("txt2img").submit(api()).status, 200);
  const auto refused = requests().minimal("txt2img").submit(api());
  ASSERT_EQ(refused.status, 429) << refused.describe();
  ASSERT_TRUE(refused.header("Retry-After"));
  const int retry_after = std::stoi(*refused.header("Retry-After"));
  EXPECT_TRUE(retry_after >= 1 && retry_after <= 60) << retry_after;
  EXPECT_EQ(refused.header("X-RateLimit-Type"), "minute");
}

class DeapiSdkDayLimit : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override { return {"--rate-limit-per-day", "1"}; }
};

TEST_F(DeapiSdkDayLimit, TooManyRequestsNamesTheDailyWindow) {
  ASSERT_EQ(requests().minimal("txt2img").submit(api()).status, 200);
  const auto refused = requests().minimal("txt2img").submit(api());
  ASSERT_EQ(refused.status, 429) << refused.describe();
  EXPECT_EQ(refused.header("X-RateLimit-Type"), "daily");
  ASSERT_TRUE(refused.header("Retry-After"));
  EXPECT_LE(std::stoi(*refused.header("Retry-After")), 86400);
}

}  // namespace
}  // namespace genq::testing
