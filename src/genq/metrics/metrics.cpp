#include "genq/metrics/metrics.hpp"

#include <algorithm>

namespace genq {

void Metrics::observe_request(std::string_view route, unsigned status, std::chrono::microseconds latency) {
  RouteSeries& series = routes_.at(route);
  series.statuses.add(status);
  series.latency.observe(static_cast<double>(latency.count()) / 1e6);
}

void Metrics::count_transition(std::string_view status) {
  transitions_.at(status).fetch_add(1, std::memory_order_relaxed);
}

void Metrics::add_gauge(std::string name, std::string help, GaugeFn fn) {
  gauges_.push_back({std::move(name), std::move(help), std::move(fn)});
}

void Metrics::add_counter(std::string name, std::string help, GaugeFn fn) {
  gauges_.push_back({std::move(name), std::move(help), std::move(fn), "counter"});
}

void Metrics::add_collector(CollectFn fn) { collectors_.push_back(std::move(fn)); }

std::string Metrics::render() const {
  Exposition out;
  out.family("genq_http_requests_total", "HTTP requests answered, by route and status.", "counter");
  routes_.for_each([&](const std::string& route, const RouteSeries& series) {
    auto counts = series.statuses.counts();
    std::sort(counts.begin(), counts.end());
    for (const auto& [status, n] : counts) {
      const std::string code = status == 0 ? "other" : std::to_string(status);
      out.sample("genq_http_requests_total", label("route", route) + "," + label("status", code),
                 static_cast<double>(n));
    }
  });
  out.family("genq_http_request_duration_seconds", "Time from request header to response, by route.", "histogram");
  routes_.for_each([&](const std::string& route, const RouteSeries& series) {
    out.histogram("genq_http_request_duration_seconds", label("route", route), series.latency.snapshot());
  });
  out.family("genq_job_transitions_total", "Job status changes this node made, by new status.", "counter");
  transitions_.for_each([&](const std::string& status, const std::atomic<std::uint64_t>& n) {
    out.sample("genq_job_transitions_total", label("status", status),
               static_cast<double>(n.load(std::memory_order_relaxed)));
  });
  for (const auto& gauge : gauges_) {
    out.family(gauge.name, gauge.help, gauge.type);
    for (const auto& [labels, value] : gauge.fn()) out.sample(gauge.name, labels, value);
  }
  for (const auto& collect : collectors_) collect(out);
  return out.take();
}

}  // namespace genq
