#pragma once
// One-shot waits for a job to end, for the routes that answer with a job's result
// instead of its request_id (deAPI's prompt helpers). A waiting request holds no
// thread: its callback sits here until the job's final event arrives on the
// EventBus, or until its deadline passes (expire(), called by a timer). The end of a
// job run on another node comes over a lossy bus, so recheck() (also on a timer)
// reads the jobs still waited on and answers those that ended unheard.
// Reads go through the Read it is given, which answers later (JobStore::get with a
// callback): thousands of waits (sync-mode submits) re-read in one go, in batches on
// PostgreSQL, and a wait registered on a store thread never waits on the store.
//
// Thread-safe. Each callback runs exactly once, outside the lock, on the thread that
// published the final event, called wait() or expire(): keep it short.
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "genq/bus/event_bus.hpp"
#include "genq/core/clock.hpp"
#include "genq/core/job.hpp"

namespace genq {

class JobWaiters {
 public:
  // The job once final; nullopt when the deadline passed first.
  using Done = std::function<void(std::optional<Job>)>;
  // Reads a job and calls `found` with it (nullopt when there is none), now or later,
  // on any thread.
  using Read = std::function<void(const std::string& job_id, std::function<void(std::optional<Job>)> found)>;

  explicit JobWaiters(Read read) : read_(std::move(read)) {}

  // Registers the wait, then reads the job, so an end that came before the wait was
  // registered is not missed.
  void wait(const std::string& job_id, TimePoint deadline, Done done);
  // The EventBus subscription: only final changes of waited-on jobs are wanted.
  bool wants(const JobSummary& change) const;
  void on_job(const Job& job);
  // Reads every job waited on and answers those found final: for ends the bus lost.
  // Costs nothing when nothing waits.
  void recheck();
  // Calls, with nullopt, every wait whose deadline is at or before `now`.
  void expire(TimePoint now);
  // The server is shutting down: every wait ends now with nullopt, and so does every
  // later one at once, so that held requests are answered before the server exits.
  void stop_waiting();
  std::size_t waiting() const;

 private:
  struct Waiter {
    TimePoint deadline;
    Done done;
  };
  std::optional<Waiter> take(const std::string& job_id);

  const Read read_;
  mutable std::mutex mutex_;
  std::multimap<std::string, Waiter, std::less<>> waiters_;  // GUARDED_BY(mutex_); job id -> waits
  bool stopping_ = false;                                    // GUARDED_BY(mutex_)
};

}  // namespace genq
