#pragma once
// The retry schedule for network errors and 5xx answers (docs/worker-protocol.md):
// 0.5 s, doubling each failure, capped at 30 s; reset() after a success. Not
// thread-safe; each retrying loop owns one.
#include <algorithm>
#include <chrono>

namespace genq::runner {

class Backoff {
 public:
  static constexpr std::chrono::milliseconds kInitial{500};
  static constexpr std::chrono::milliseconds kMax{30'000};

  Backoff() : Backoff(kInitial, kMax) {}
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
      : initial_(initial), max_(max), next_(initial) {}

  // The delay to wait before the next try; each call doubles the following one.
  std::chrono::milliseconds next() {
    auto delay = next_;
    next_ = std::min(next_ * 2, max_);
    failures_++;
    return delay;
  }

  void reset() {
    next_ = initial_;
    failures_ = 0;
  }

  // Failures since the last reset(): nonzero means the connection was in trouble.
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds next_;
  int failures_ = 0;
};

}  // namespace genq::runner
