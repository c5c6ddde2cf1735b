// Metrics::render and Exposition, read back by the strict parser the integration
// tests use; and the parser refusing what Prometheus would refuse.
#include <gtest/gtest.h>

#include <thread>

#include "genq/metrics/exposition.hpp"
#include "genq/metrics/job_metrics.hpp"
#include "genq/metrics/metrics.hpp"
#include "support/prometheus_text.hpp"

namespace genq {
namespace {

using testing::parse_prometheus_text;

TEST(Exposition, RequestsRenderAsCountersAndAHistogramPerRoute) {
  Metrics metrics;
  metrics.observe_request("status", 200, std::chrono::microseconds(300));
  metrics.observe_request("status", 200, std::chrono::microseconds(30'000));
  metrics.observe_request("status", 404, std::chrono::microseconds(100));
  metrics.observe_request("submit", 200, std::chrono::microseconds(2'000'000));
  metrics.count_transition("pending");
  const auto text = parse_prometheus_text(metrics.render());
  ASSERT_TRUE(text.errors.empty()) << text.describe_errors() << metrics.render();

  const auto* requests = text.family("genq_http_requests_total");
  ASSERT_NE(requests, nullptr);
  EXPECT_EQ(requests->value("genq_http_requests_total", {{"route", "status"}, {"status", "200"}}), 2.0);
  EXPECT_EQ(requests->value("genq_http_requests_total", {{"route", "status"}, {"status", "404"}}), 1.0);
  const auto* latency = text.family("genq_http_request_duration_seconds");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->type, "histogram");
  EXPECT_EQ(latency->value("genq_http_request_duration_seconds_count", {{"route", "status"}}), 3.0);
  EXPECT_EQ(latency->value("genq_http_request_duration_seconds_bucket", {{"route", "status"}, {"le", "0.0005"}}), 2.0);
  EXPECT_EQ(latency->value("genq_http_request_duration_seconds_bucket", {{"route", "submit"}, {"le", "1"}}), 0.0);
  EXPECT_EQ(latency->value("genq_http_request_duration_seconds_bucket", {{"route", "submit"}, {"le", "+Inf"}}), 1.0);
  EXPECT_NEAR(*latency->value("genq_http_request_duration_seconds_sum", {{"route", "submit"}}), 2.0, 1e-9);
  EXPECT_EQ(text.family("genq_job_transitions_total")->value("genq_job_transitions_total", {{"status", "pending"}}),
            1.0);
}

TEST(Exposition, LabelValuesAreEscaped) {
  Metrics metrics;
  metrics.observe_request("a\"b\\c\nd", 200, std::chrono::microseconds(1));
  const auto text = parse_prometheus_text(metrics.render());
  ASSERT_TRUE(text.errors.empty()) << text.describe_errors();
  EXPECT_EQ(text.family("genq_http_requests_total")->find("genq_http_requests_total", {{"route", "a\"b\\c\nd"}}).size(),
            1u);
}

TEST(Exposition, ConcurrentRequestsOnNewRoutesAreAllCounted) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 2000; ++i) {
        metrics.observe_request("route" + std::to_string(i % 10), 200 + static_cast<unsigned>(t % 2),
                                std::chrono::microseconds(i));
      }
    });
  }
  for (auto& t : threads) t.join();
  const auto text = parse_prometheus_text(metrics.render());
  ASSERT_TRUE(text.errors.empty()) << text.describe_errors();
  double total = 0;
  for (const auto& s : text.family("genq_http_requests_total")->samples) total += s.value;
  EXPECT_EQ(total, 8000.0);
  EXPECT_EQ(text.family("genq_http_requests_total")->samples.size(), 20u) << "10 routes × 2 statuses, once each";
}

TEST(Exposition, JobMetricsCountByModelAndTimeTheQueueAndTheRun) {
  JobMetrics jobs;
  jobs.add_model("Idle");
  Job job;
  job.model = "Flux";
  job.created_at = TimePoint(std::chrono::seconds(100));
  jobs.submitted(job);
  job.attempts = 1;
  jobs.claimed(job, TimePoint(std::chrono::seconds(103)));
  job.status = JobStatus::Done;
  job.started_at = TimePoint(std::chrono::seconds(103));
  job.finished_at = TimePoint(std::chrono::seconds(110));
  jobs.completed(job);
  job.status = JobStatus::Pending;
  jobs.lease_expired(job);
  Exposition out;
  jobs.render(out);
  const auto text = parse_prometheus_text(out.text());
  ASSERT_TRUE(text.errors.empty()) << text.describe_errors() << out.text();
  EXPECT_EQ(text.family("genq_jobs_submitted_total")->value("genq_jobs_submitted_total", {{"model", "Flux"}}), 1.0);
  EXPECT_EQ(text.family("genq_jobs_submitted_total")->value("genq_jobs_submitted_total", {{"model", "Idle"}}), 0.0);
  EXPECT_EQ(text.family("genq_lease_expiries_total")->value("genq_lease_expiries_total", {{"model", "Flux"}}), 1.0);
  EXPECT_EQ(text.family("genq_job_requeues_total")
                ->value("genq_job_requeues_total", {{"model", "Flux"}, {"reason", "lease_expired"}}),
            1.0);
  const auto* wait = text.family("genq_job_queue_wait_seconds");
  ASSERT_NE(wait, nullptr);
  EXPECT_NEAR(*wait->value("genq_job_queue_wait_seconds_sum", {{"model", "Flux"}}), 3.0, 1e-9);
  EXPECT_NEAR(*text.family("genq_job_run_seconds")->value("genq_job_run_seconds_sum", {{"model", "Flux"}}), 7.0, 1e-9);
}

TEST(PrometheusParser, RefusesWhatPrometheusWouldRefuse) {
  const char* bad[] = {
      "genq_x 1\n",                                                           // no HELP/TYPE
      "# HELP genq_x h\n# TYPE genq_x gauge\ngenq_x{a=\"1\"} 1\ngenq_x{a=\"1\"} 2\n",  // duplicate series
      "# HELP genq_x h\n# TYPE genq_x gauge\ngenq_x{a=1} 1\n",                // unquoted value
      "# HELP genq_x h\n# TYPE genq_x gauge\ngenq_x{a=\"1\",a=\"2\"} 1\n",    // label twice
      "# HELP genq_x h\n# TYPE genq_x counter\ngenq_x 1\n",                   // counter without _total
      "# HELP genq_x_total h\n# TYPE genq_x_total counter\ngenq_x_total -1\n",  // counter below 0
      "# HELP genq_x h\n# TYPE genq_x gauge\ngenq_x one\n",                   // bad value
      "# HELP genq_x h\n# TYPE genq_x gauge\ngenq_x 1",                       // no final line break
      "# HELP genq_x h\n# TYPE genq_x summary\ngenq_x_sum 1\n",               // type genq never uses
      "# HELP genq_x h\n# TYPE genq_x gauge\n# HELP genq_y h\n# TYPE genq_y gauge\ngenq_x 1\n",  // interleaved
      // Histograms: no +Inf, falling buckets, count differing from +Inf, le not increasing, no _sum.
      "# HELP genq_h h\n# TYPE genq_h histogram\ngenq_h_bucket{le=\"1\"} 1\ngenq_h_sum 1\ngenq_h_count 1\n",
      "# HELP genq_h h\n# TYPE genq_h histogram\ngenq_h_bucket{le=\"1\"} 2\ngenq_h_bucket{le=\"+Inf\"} 1\n"
      "genq_h_sum 1\ngenq_h_count 1\n",
      "# HELP genq_h h\n# TYPE genq_h histogram\ngenq_h_bucket{le=\"1\"} 1\ngenq_h_bucket{le=\"+Inf\"} 2\n"
      "genq_h_sum 1\ngenq_h_count 3\n",
      "# HELP genq_h h\n# TYPE genq_h histogram\ngenq_h_bucket{le=\"2\"} 1\ngenq_h_bucket{le=\"1\"} 1\n"
      "genq_h_bucket{le=\"+Inf\"} 1\ngenq_h_sum 1\ngenq_h_count 1\n",
      "# HELP genq_h h\n# TYPE genq_h histogram\ngenq_h_bucket{le=\"+Inf\"} 1\ngenq_h_count 1\n",
  };
  for (const char* text : bad) {
    EXPECT_FALSE(parse_prometheus_text(text).errors.empty()) << "accepted:\n" << text;
  }
  const char* good =
      "# HELP genq_h h\n# TYPE genq_h histogram\ngenq_h_bucket{m=\"a\",le=\"0.5\"} 1\n"
      "genq_h_bucket{m=\"a\",le=\"+Inf\"} 2\ngenq_h_sum{m=\"a\"} 3.5\ngenq_h_count{m=\"a\"} 2\n"
      "# HELP genq_x_total h\n# TYPE genq_x_total counter\ngenq_x_total 5e-05\n";
  const auto parsed = parse_prometheus_text(good);
  EXPECT_TRUE(parsed.errors.empty()) << parsed.describe_errors();
}

}  // namespace
}  // namespace genq
