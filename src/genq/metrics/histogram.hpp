#pragma once
// A Prometheus histogram: counts of observations per bucket (upper bounds fixed at
// construction, +Inf implied) and their sum. Observing is lock-free (relaxed atomics:
// one bucket increment and one sum add), so it can sit on the request path; a
// snapshot is read at scrape time.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace genq {

class Histogram {
 public:
  // `upper_bounds` ascending; the +Inf bucket is added.
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void observe(double value);

  struct Snapshot {
    std::vector<double> upper_bounds;     // without +Inf
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (= count)
    double sum = 0;
    std::uint64_t count() const { return cumulative.empty() ? 0 : cumulative.back(); }
  };
  // Buckets are read one by one while others may observe: the count is the +Inf
  // bucket (the sum of the buckets read), so a snapshot is always self-consistent.
  Snapshot snapshot() const;

  const std::vector<double>& upper_bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1, not cumulative
  // In millionths of the unit, so adding needs no compare-and-swap loop on a double.
  std::atomic<std::int64_t> sum_millionths_{0};
};

// Bucket layouts shared by several histograms.
namespace buckets {
// Request and attempt latencies: 0.5 ms … 30 s.
std::vector<double> request_seconds();
// Job waits and run times: 50 ms … 1 h.
std::vector<double> job_seconds();
// Store commits: 50 µs … 2.5 s.
std::vector<double> commit_seconds();
// Writes per commit: 1 … 256 (the largest batch).
std::vector<double> batch_sizes();
}  // namespace buckets

}  // namespace genq
