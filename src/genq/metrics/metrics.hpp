#pragma once
// What GET /metrics shows, in the Prometheus text format: the HTTP requests by route
// (status counts and a latency histogram), job transitions, and whatever the other
// components register: gauges and counters computed at scrape time, and collectors
// that write whole families (histograms, labelled series) themselves.
// Thread-safe: observing a request or a transition takes no lock (atomics, see
// LabeledSeries); the registrations happen at start-up, before serving.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "genq/metrics/exposition.hpp"
#include "genq/metrics/histogram.hpp"
#include "genq/metrics/labeled_series.hpp"
#include "genq/metrics/status_counters.hpp"

namespace genq {

class Metrics {
 public:
  // One finished HTTP request of route `route` with `status`.
  void observe_request(std::string_view route, unsigned status, std::chrono::microseconds latency);
  // A job reached `status` ("pending", "done", ...).
  void count_transition(std::string_view status);
  // Gauges computed at scrape time: name, help, and a function returning
  // (label set, value) samples, e.g. {{"status=\"pending\"", 3}}.
  using GaugeFn = std::function<std::vector<std::pair<std::string, double>>()>;
  void add_gauge(std::string name, std::string help, GaugeFn fn);
  // Like add_gauge, for values that only grow (rendered as TYPE counter): totals kept
  // by the component that counts them, such as webhook attempts.
  void add_counter(std::string name, std::string help, GaugeFn fn);
  // Writes one or more whole families at scrape time.
  using CollectFn = std::function<void(Exposition&)>;
  void add_collector(CollectFn fn);

  std::string render() const;

 private:
  struct RouteSeries {
    StatusCounters statuses;
    Histogram latency{buckets::request_seconds()};
  };
  LabeledSeries<RouteSeries> routes_;
  LabeledSeries<std::atomic<std::uint64_t>> transitions_;
  struct Gauge {
    std::string name, help;
    GaugeFn fn;
    const char* type = "gauge";
  };
  // Registered at start-up, in the order they render.
  std::vector<Gauge> gauges_;
  std::vector<CollectFn> collectors_;
};

}  // namespace genq
