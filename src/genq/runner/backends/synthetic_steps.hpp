#pragma once
// Paces a synthetic job: `steps` steps, each preceded by the step delay (slept in
// short slices so a cancel is noticed within one slice) and followed by a progress
// report. Owned by one backend run on one thread.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "genq/runner/backends/backend.hpp"

namespace genq::runner {

// What every synthetic task gets from the backend.
struct StepPacing {
  std::chrono::milliseconds step_delay{0};
  ProgressSink* progress = nullptr;
  const std::atomic<bool>* cancelled = nullptr;
};

class Stepper {
 public:
  Stepper(int steps, const StepPacing& pacing) : steps_(std::max(1, steps)), pacing_(pacing) {}

  int steps() const { return steps_; }
  bool cancelled() const { return pacing_.cancelled->load(); }

  // Waits the step delay; false when the job was cancelled before or during it.
  bool wait_step() const {
    using namespace std::chrono_literals;
    auto left = pacing_.step_delay;
    while (left > 0ms && !cancelled()) {
      const auto slice = std::min<std::chrono::milliseconds>(left, 20ms);
      std::this_thread::sleep_for(slice);
      left -= slice;
    }
    return !cancelled();
  }

  // Reports step `index` (0-based) as done.
  void finish_step(int index, std::string preview_jpeg = {}) const {
    const double percent = 100.0 * (index + 1) / steps_;
    pacing_.progress->report(std::min(100.0, percent), std::move(preview_jpeg));
  }

 private:
  int steps_;
  StepPacing pacing_;
};

}  // namespace genq::runner
