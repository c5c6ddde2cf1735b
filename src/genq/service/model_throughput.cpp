#include "genq/service/model_throughput.hpp"

#include <algorithm>
#include <cmath>

namespace genq {

void ModelThroughput::forget_before(std::deque<TimePoint>& times, TimePoint cutoff) {
  while (!times.empty() && times.front() < cutoff) times.pop_front();
}

void ModelThroughput::done(std::string_view model, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = done_.find(model);
  if (it == done_.end()) it = done_.emplace(std::string(model), std::deque<TimePoint>{}).first;
  std::deque<TimePoint>& times = it->second;
  forget_before(times, now - window_);
  if (times.size() == kMaxRemembered) times.pop_front();
  times.push_back(now);
}

std::optional<double> ModelThroughput::jobs_per_second(std::string_view model, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = done_.find(model);
  if (it == done_.end()) return std::nullopt;
  forget_before(it->second, now - window_);
  if (it->second.empty()) return std::nullopt;
  // From the oldest remembered completion to now: with the memory full, that is the
  // span of the newest kMaxRemembered, still a true rate.
  const Millis span = std::max(kMinSpan, std::chrono::duration_cast<Millis>(now - it->second.front()));
  return static_cast<double>(it->second.size()) / (static_cast<double>(span.count()) / 1000.0);
}

std::optional<double> ModelThroughput::seconds_for(std::string_view model, std::int64_t ahead, TimePoint now) {
  const std::optional<double> rate = jobs_per_second(model, now);
  if (!rate || *rate <= 0) return std::nullopt;
  // Tenths of a second: more digits would claim a precision the estimate lacks.
  return std::round(static_cast<double>(std::max<std::int64_t>(ahead, 0)) / *rate * 10.0) / 10.0;
}

}  // namespace genq
