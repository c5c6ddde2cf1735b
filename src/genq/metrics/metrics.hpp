#pragma once
// Counters and gauges rendered in the Prometheus text format (GET /metrics).
// Thread-safe: counters are atomics or guarded by mutex_.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace genq {

class Metrics {
 public:
  // One finished HTTP request of route `route` with `status`.
  void observe_request(const std::string& route, unsigned status, std::chrono::microseconds latency);
  // A job reached `status` ("pending", "done", ...).
  void count_transition(std::string_view status);
  // Gauges computed at scrape time: name, help, and a function returning
  // (label set, value) samples, e.g. {{"status=\"pending\"", 3}}.
  using GaugeFn = std::function<std::vector<std::pair<std::string, double>>()>;
  void add_gauge(std::string name, std::string help, GaugeFn fn);
  // Like add_gauge, for values that only grow (rendered as TYPE counter): totals kept
  // by the component that counts them, such as webhook attempts.
  void add_counter(std::string name, std::string help, GaugeFn fn);

  std::string render() const;

 private:
  struct RouteStats {
    std::map<unsigned, std::uint64_t> by_status;
    std::uint64_t count = 0;
    double seconds_sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, RouteStats> routes_;               // GUARDED_BY(mutex_)
  std::map<std::string, std::uint64_t, std::less<>> transitions_;  // GUARDED_BY(mutex_)
  struct Gauge {
    std::string name, help;
    GaugeFn fn;
    const char* type = "gauge";
  };
  std::vector<Gauge> gauges_;  // registered at start-up
};

}  // namespace genq
