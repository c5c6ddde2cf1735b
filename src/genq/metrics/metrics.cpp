#include "genq/metrics/metrics.hpp"

#include <fmt/format.h>

namespace genq {

void Metrics::observe_request(const std::string& route, unsigned status, std::chrono::microseconds latency) {
  std::lock_guard lock(mutex_);
  auto& stats = routes_[route];
  ++stats.by_status[status];
  ++stats.count;
  stats.seconds_sum += static_cast<double>(latency.count()) / 1e6;
}

void Metrics::count_transition(std::string_view status) {
  std::lock_guard lock(mutex_);
  auto it = transitions_.find(status);
  if (it == transitions_.end()) {
    transitions_.emplace(std::string(status), 1);
  } else {
    ++it->second;
  }
}

void Metrics::add_gauge(std::string name, std::string help, GaugeFn fn) {
  gauges_.push_back({std::move(name), std::move(help), std::move(fn)});
}

void Metrics::add_counter(std::string name, std::string help, GaugeFn fn) {
  gauges_.push_back({std::move(name), std::move(help), std::move(fn), "counter"});
}

std::string Metrics::render() const {
  std::string out;
  {
    std::lock_guard lock(mutex_);
    out += "# HELP genq_http_requests_total HTTP requests answered, by route and status.\n";
    out += "# TYPE genq_http_requests_total counter\n";
    for (const auto& [route, stats] : routes_) {
      for (const auto& [status, n] : stats.by_status) {
        out += fmt::format("genq_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", route, status, n);
      }
    }
    out += "# HELP genq_http_request_seconds Time from request header to response, by route.\n";
    out += "# TYPE genq_http_request_seconds summary\n";
    for (const auto& [route, stats] : routes_) {
      out += fmt::format("genq_http_request_seconds_sum{{route=\"{}\"}} {:.6f}\n", route, stats.seconds_sum);
      out += fmt::format("genq_http_request_seconds_count{{route=\"{}\"}} {}\n", route, stats.count);
    }
    out += "# HELP genq_job_transitions_total Job status changes, by new status.\n";
    out += "# TYPE genq_job_transitions_total counter\n";
    for (const auto& [status, n] : transitions_) {
      out += fmt::format("genq_job_transitions_total{{status=\"{}\"}} {}\n", status, n);
    }
  }
  for (const auto& gauge : gauges_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", gauge.name, gauge.help, gauge.name, gauge.type);
    for (const auto& [labels, value] : gauge.fn()) {
      if (labels.empty()) {
        out += fmt::format("{} {}\n", gauge.name, value);
      } else {
        out += fmt::format("{}{{{}}} {}\n", gauge.name, labels, value);
      }
    }
  }
  return out;
}

}  // namespace genq
