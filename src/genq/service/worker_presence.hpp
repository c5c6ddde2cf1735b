#pragma once
// Which workers this node has heard from lately, by model: a worker counts for a
// model while it asked for jobs of it, or reported on one (progress, a result, a
// failure), within the window. The worker protocol has no connection to watch, so
// "connected" means "recently seen"; a worker inside a long-poll is seen when the
// poll starts and again when it ends. Thread-safe.
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/clock.hpp"

namespace genq {

class WorkerPresence {
 public:
  explicit WorkerPresence(Millis window = Millis(60'000)) : window_(window) {}

  // A claim: the worker serves `models`.
  void claimed(std::string_view worker_id, const std::vector<std::string>& models, TimePoint now);
  // A report on a job of `model`.
  void reported(std::string_view worker_id, std::string_view model, TimePoint now);
  // Workers seen within the window, by model; forgets those seen earlier.
  std::map<std::string, int> count_by_model(TimePoint now);

 private:
  struct Sightings {
    TimePoint last_claim{};
    std::vector<std::string> claim_models;
    std::map<std::string, TimePoint, std::less<>> reports;  // model -> last report
  };
  const Millis window_;
  std::mutex mutex_;
  std::map<std::string, Sightings, std::less<>> workers_;  // GUARDED_BY(mutex_)
};

}  // namespace genq
