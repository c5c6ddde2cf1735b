#pragma once
// Waiting on conditions with a deadline instead of sleeping and hoping (STYLE habit 13).
#include <chrono>
#include <functional>

namespace genq::testing {

// Polls `condition` until it returns true or `timeout` passes; returns whether it
// became true. Polls often at first (1 ms) and backs off to 20 ms, so fast conditions
// cost little and slow ones don't spin. The condition is always checked once more at
// the deadline, so a timeout of zero still evaluates it.
bool wait_until(std::chrono::milliseconds timeout, const std::function<bool()>& condition);

// A point in time a test must not pass; lets several waits share one budget.
class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds budget)
      : end_(std::chrono::steady_clock::now() + budget) {}
  std::chrono::milliseconds remaining() const;
  bool passed() const { return std::chrono::steady_clock::now() >= end_; }

 private:
  std::chrono::steady_clock::time_point end_;
};

}  // namespace genq::testing
