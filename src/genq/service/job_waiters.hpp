#pragma once
// One-shot waits for a job to end, for the routes that answer with a job's result
// instead of its request_id (deAPI's prompt helpers). A waiting request holds no
// thread: its callback sits here until the job's final event arrives on the
// EventBus, or until its deadline passes (expire(), called by a timer). The end of a
// job run on another node comes over a lossy bus, so recheck() (also on a timer)
// reads the jobs still waited on and answers those that ended unheard.
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

  // Registers the wait, then reads the job with `read_now`, so an end that came
  // before the wait was registered is not missed.
  void wait(const std::string& job_id, TimePoint deadline, Done done,
            const std::function<std::optional<Job>()>& read_now);
  // The EventBus subscription: only final changes of waited-on jobs are wanted.
  bool wants(const JobSummary& change) const;
  void on_job(const Job& job);
  // Reads every job waited on with `read` and answers those found final: for ends
  // the bus lost. Costs nothing when nothing waits. May block (store reads).
  void recheck(const std::function<std::optional<Job>(const std::string&)>& read);
  // Calls, with nullopt, every wait whose deadline is at or before `now`.
  void expire(TimePoint now);
  std::size_t waiting() const;

 private:
  struct Waiter {
    TimePoint deadline;
    Done done;
  };
  std::optional<Waiter> take(const std::string& job_id);

  mutable std::mutex mutex_;
  std::multimap<std::string, Waiter, std::less<>> waiters_;  // GUARDED_BY(mutex_); job id -> waits
};

}  // namespace genq
