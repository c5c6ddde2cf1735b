// GET /metrics under real traffic: a job submitted with a webhook, claimed and
// completed by a worker, another left waiting, a WebSocket client; the whole answer
// must pass the strict exposition-format reader and every family must hold values
// that match what was done.
#include "integration/genq_test.hpp"
#include "support/fake_model_server.hpp"
#include "support/prometheus_text.hpp"
#include "support/pusher_test_client.hpp"

namespace genq::testing {
namespace {

constexpr const char* kMetricsPusherKey = "metrics-test-key";

class MetricsUnderTraffic : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override {
    // A short lease, so a test can let one expire.
    return {"--webhook-allow-http", "--webhook-allow-private", "--pusher-key", kMetricsPusherKey, "--lease-ms", "1500"};
  }

  PromText scrape() const {
    const auto response = server().http().get("/metrics");
    EXPECT_EQ(response.status, 200) << response.describe();
    PromText text = parse_prometheus_text(response.body);
    EXPECT_TRUE(text.errors.empty()) << text.describe_errors() << "\n" << response.body;
    return text;
  }

  // The one sample so named and labelled in family `family`, or NaN (failing the test).
  static double sample_of(const PromText& text, const std::string& family, const std::string& sample,
                          const std::map<std::string, std::string>& labels = {}) {
    const PromFamily* f = text.family(family);
    if (!f) {
      ADD_FAILURE() << "no family " << family;
      return std::nan("");
    }
    auto value = f->value(sample, labels);
    if (!value) {
      ADD_FAILURE() << "not exactly one " << sample << " with the labels asked in " << family;
      return std::nan("");
    }
    return *value;
  }
};

std::uint16_t metrics_test_port(const GenqServer& server) {
  return static_cast<std::uint16_t>(std::stoi(server.base_url().substr(server.base_url().rfind(':') + 1)));
}

TEST_F(MetricsUnderTraffic, EveryFamilyIsWellFormedAndCountsWhatHappened) {
  FakeModelServer receiver;  // POST /hook answers 200 after 300 ms
  PusherTestClient listener(metrics_test_port(server()), kMetricsPusherKey);
  listener.subscribe("public-metrics");

  JobRequest request = requests().minimal("txt2img");
  request.fields["webhook_url"] = receiver.base_url() + "/hook";
  const std::string model = request.model;
  const std::string done_id = submit(request);
  finish_by_hand(done_id);
  const std::string waiting_id = submit(requests().minimal("txt2img"));
  // job.processing and job.completed of the finished job.
  ASSERT_TRUE(wait_until(20s, [&] { return receiver.bodies().size() >= 2; }))
      << receiver.bodies().size() << " webhooks arrived";

  // The attempts are counted once recorded, a moment after the receiver answered.
  PromText text;
  ASSERT_TRUE(wait_until(10s, [&] {
    text = scrape();
    const PromFamily* attempts = text.family("genq_webhook_attempts_total");
    const auto ok = attempts ? attempts->value("genq_webhook_attempts_total", {{"result", "success"}}) : std::nullopt;
    return ok && *ok >= 2;
  })) << "the two webhook attempts were not counted as successes";

  // Every family there is, with the type it must have.
  const std::map<std::string, std::string> expected = {
      {"genq_http_requests_total", "counter"},
      {"genq_http_request_duration_seconds", "histogram"},
      {"genq_jobs_submitted_total", "counter"},
      {"genq_jobs_claimed_total", "counter"},
      {"genq_jobs_completed_total", "counter"},
      {"genq_jobs_failed_total", "counter"},
      {"genq_jobs_cancelled_total", "counter"},
      {"genq_job_queue_wait_seconds", "histogram"},
      {"genq_job_run_seconds", "histogram"},
      {"genq_lease_expiries_total", "counter"},
      {"genq_jobs_expired_total", "counter"},
      {"genq_jobs_timed_out_total", "counter"},
      {"genq_job_requeues_total", "counter"},
      {"genq_queue_depth", "gauge"},
      {"genq_queue_oldest_age_seconds", "gauge"},
      {"genq_workers_connected", "gauge"},
      {"genq_claim_waiters", "gauge"},
      {"genq_jobs", "gauge"},
      {"genq_job_transitions_total", "counter"},
      {"genq_store_commit_batch_size", "histogram"},
      {"genq_store_commit_seconds", "histogram"},
      {"genq_webhook_attempts_total", "counter"},
      {"genq_webhook_attempt_seconds", "histogram"},
      {"genq_webhook_deliveries_total", "counter"},
      {"genq_webhook_pending", "gauge"},
      {"genq_webhook_oldest_due_age_seconds", "gauge"},
      {"genq_ws_connections", "gauge"},
      {"genq_ws_subscriptions", "gauge"},
      {"genq_ws_messages_total", "counter"},
      {"genq_ws_closes_total", "counter"},
      {"genq_bus_ready", "gauge"},
  };
  for (const auto& [name, type] : expected) {
    const PromFamily* family = text.family(name);
    if (!family) {
      ADD_FAILURE() << "no family " << name;
      continue;
    }
    EXPECT_EQ(family->type, type) << name;
  }

  // HTTP: the submits, by route and status, each timed.
  EXPECT_EQ(sample_of(text, "genq_http_requests_total", "genq_http_requests_total",
                      {{"route", "submit"}, {"status", "200"}}),
            2);
  EXPECT_GE(sample_of(text, "genq_http_request_duration_seconds", "genq_http_request_duration_seconds_count",
                      {{"route", "submit"}}),
            2);

  // Jobs by model: two submitted, one claimed and done, one waiting.
  const std::map<std::string, std::string> by_model = {{"model", model}};
  EXPECT_EQ(sample_of(text, "genq_jobs_submitted_total", "genq_jobs_submitted_total", by_model), 2);
  EXPECT_EQ(sample_of(text, "genq_jobs_claimed_total", "genq_jobs_claimed_total", by_model), 1);
  EXPECT_EQ(sample_of(text, "genq_jobs_completed_total", "genq_jobs_completed_total", by_model), 1);
  EXPECT_EQ(sample_of(text, "genq_jobs_failed_total", "genq_jobs_failed_total", by_model), 0);
  EXPECT_EQ(sample_of(text, "genq_job_queue_wait_seconds", "genq_job_queue_wait_seconds_count", by_model), 1);
  EXPECT_EQ(sample_of(text, "genq_job_run_seconds", "genq_job_run_seconds_count", by_model), 1);
  EXPECT_EQ(sample_of(text, "genq_queue_depth", "genq_queue_depth", by_model), 1) << waiting_id << " waits";
  const double age = sample_of(text, "genq_queue_oldest_age_seconds", "genq_queue_oldest_age_seconds", by_model);
  EXPECT_GE(age, 0);
  EXPECT_LT(age, 120);
  EXPECT_GE(sample_of(text, "genq_workers_connected", "genq_workers_connected", by_model), 1);
  EXPECT_EQ(sample_of(text, "genq_job_requeues_total", "genq_job_requeues_total",
                      {{"model", model}, {"reason", "lease_expired"}}),
            0);

  // The store committed, and each commit is in both histograms.
  const double commits = sample_of(text, "genq_store_commit_batch_size", "genq_store_commit_batch_size_count");
  EXPECT_GE(commits, 4) << "two submits, a claim, an upload record, a completion";
  EXPECT_GE(sample_of(text, "genq_store_commit_batch_size", "genq_store_commit_batch_size_sum"), commits);
  EXPECT_EQ(sample_of(text, "genq_store_commit_seconds", "genq_store_commit_seconds_count"), commits);

  // Webhooks: two attempts, each ~300 ms at the receiver.
  const double attempts = sample_of(text, "genq_webhook_attempt_seconds", "genq_webhook_attempt_seconds_count");
  EXPECT_GE(attempts, 2);
  EXPECT_GE(sample_of(text, "genq_webhook_attempt_seconds", "genq_webhook_attempt_seconds_sum"), 0.25 * attempts);
  EXPECT_EQ(sample_of(text, "genq_webhook_oldest_due_age_seconds", "genq_webhook_oldest_due_age_seconds"), 0);

  // The WebSocket client: connected, subscribed, one message in (the subscribe), two
  // out (connection_established, subscription_succeeded).
  EXPECT_EQ(sample_of(text, "genq_ws_connections", "genq_ws_connections"), 1);
  EXPECT_EQ(sample_of(text, "genq_ws_subscriptions", "genq_ws_subscriptions"), 1);
  EXPECT_GE(sample_of(text, "genq_ws_messages_total", "genq_ws_messages_total", {{"direction", "in"}}), 1);
  EXPECT_GE(sample_of(text, "genq_ws_messages_total", "genq_ws_messages_total", {{"direction", "out"}}), 2);
}

TEST_F(MetricsUnderTraffic, RetriesAndExpiredLeasesAreCountedByReason) {
  const JobRequest request = requests().minimal("txt2img");
  const std::string id = submit(request);
  const ManualWorker worker = manual_worker();
  auto job = worker.claim_job(id, 10s);
  ASSERT_TRUE(job);
  ASSERT_EQ(worker.fail(*job, "out of memory", true).status, 200);
  // Claimed again, and this time the worker goes quiet: the lease runs out.
  job = worker.claim_job(id, 10s);
  ASSERT_TRUE(job);
  const std::map<std::string, std::string> lease_expired = {{"model", request.model}, {"reason", "lease_expired"}};
  PromText text;
  ASSERT_TRUE(wait_until(20s, [&] {
    text = scrape();
    const PromFamily* requeues = text.family("genq_job_requeues_total");
    const auto n = requeues ? requeues->value("genq_job_requeues_total", lease_expired) : std::nullopt;
    return n && *n >= 1;
  })) << "the expired lease was not counted";
  job = worker.claim_job(id, 10s);
  ASSERT_TRUE(job);
  ASSERT_EQ(worker.fail(*job, "bad input", false).status, 200);

  text = scrape();
  const std::map<std::string, std::string> by_model = {{"model", request.model}};
  EXPECT_EQ(sample_of(text, "genq_jobs_claimed_total", "genq_jobs_claimed_total", by_model), 3);
  EXPECT_EQ(sample_of(text, "genq_jobs_failed_total", "genq_jobs_failed_total", by_model), 1);
  EXPECT_EQ(sample_of(text, "genq_lease_expiries_total", "genq_lease_expiries_total", by_model), 1);
  EXPECT_EQ(sample_of(text, "genq_job_requeues_total", "genq_job_requeues_total", lease_expired), 1);
  EXPECT_EQ(sample_of(text, "genq_job_requeues_total", "genq_job_requeues_total",
                      {{"model", request.model}, {"reason", "retryable_failure"}}),
            1);
  EXPECT_EQ(sample_of(text, "genq_job_queue_wait_seconds", "genq_job_queue_wait_seconds_count", by_model), 1)
      << "a retry's claim is not the queue wait of a new job";
  EXPECT_EQ(sample_of(text, "genq_queue_depth", "genq_queue_depth", by_model), 0);
}

}  // namespace
}  // namespace genq::testing
