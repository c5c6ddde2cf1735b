#pragma once
// How fast each model's jobs finish lately, for queue ETAs (docs/api.md, "Queue and
// ETA"): the jobs done in the last `window`, heard on this node from every node (the
// event bus carries every change's summary), over the time they took to come. A model
// with no job done in the window has no rate, and its waits are unknown rather than
// guessed. Thread-safe (one short lock per call).
#include <cstddef>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "genq/core/clock.hpp"

namespace genq {

class ModelThroughput {
 public:
  explicit ModelThroughput(Millis window = Millis(5 * 60'000)) : window_(window) {}

  // A job of `model` became done at `now`.
  void done(std::string_view model, TimePoint now);
  // Jobs done per second over the window, or nullopt when none was done in it. The
  // rate is taken over at least kMinSpan, so the first completion after a quiet spell
  // is not read as a burst.
  std::optional<double> jobs_per_second(std::string_view model, TimePoint now);
  // Seconds until `ahead` jobs have been done at that rate; nullopt when unknown.
  std::optional<double> seconds_for(std::string_view model, std::int64_t ahead, TimePoint now);

  static constexpr Millis kMinSpan{10'000};
  // Completions remembered per model: enough for a busy model's window, bounded.
  static constexpr std::size_t kMaxRemembered = 4096;

 private:
  void forget_before(std::deque<TimePoint>& times, TimePoint cutoff);

  const Millis window_;
  std::mutex mutex_;
  std::map<std::string, std::deque<TimePoint>, std::less<>> done_;  // GUARDED_BY(mutex_); oldest first
};

}  // namespace genq
