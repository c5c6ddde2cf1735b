#pragma once
// A one-shot stop signal with a reason, shared by the thread that raises it and the
// threads that check it. The first cancel() wins and keeps its reason. Thread-safe;
// owned by whoever starts the work it stops (the worker or a job runner).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace genq::runner {

enum class CancelReason {
  None,
  LeaseLost,  // the server answered 409: the job is no longer ours
  Shutdown,   // the worker is stopping and gave up waiting for the job
  Stop,       // generic stop (the claim loop, the lease keeper)
};

class CancelToken {
 public:
  // Raises the signal; later calls keep the first reason. Wakes every waiter.
  void cancel(CancelReason reason = CancelReason::Stop) {
    {
      std::lock_guard lock(mutex_);
      if (flag_.load()) {
        return;
      }
      reason_ = reason;
      flag_.store(true);
    }
    cv_.notify_all();
  }

  bool cancelled() const { return flag_.load(); }

  CancelReason reason() const {
    std::lock_guard lock(mutex_);
    return reason_;
  }

  // The flag itself, for code that only polls (backends, libcurl progress callbacks).
  const std::atomic<bool>& flag() const { return flag_; }

  // Sleeps for `duration` unless cancelled first; returns whether it was cancelled.
  bool wait_for(std::chrono::milliseconds duration) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, duration, [this] { return flag_.load(); });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::atomic<bool> flag_{false};
  CancelReason reason_ = CancelReason::None;  // GUARDED_BY(mutex_)
};

}  // namespace genq::runner
