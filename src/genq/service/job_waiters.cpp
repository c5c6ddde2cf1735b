#include "genq/service/job_waiters.hpp"

#include <vector>

namespace genq {

void JobWaiters::wait(const std::string& job_id, TimePoint deadline, Done done,
                      const std::function<std::optional<Job>()>& read_now) {
  {
    std::lock_guard lock(mutex_);
    waiters_.emplace(job_id, Waiter{deadline, std::move(done)});
  }
  if (std::optional<Job> job = read_now(); job && is_final(job->status)) {
    while (auto waiter = take(job_id)) waiter->done(*job);
  }
}

std::optional<JobWaiters::Waiter> JobWaiters::take(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  auto it = waiters_.find(job_id);
  if (it == waiters_.end()) return std::nullopt;
  Waiter w = std::move(it->second);
  waiters_.erase(it);
  return w;
}

void JobWaiters::on_job_event(const JobEvent& event) {
  if (!is_final(event.job.status)) return;
  while (auto waiter = take(event.job.id)) waiter->done(event.job);
}

void JobWaiters::expire(TimePoint now) {
  std::vector<Done> due;
  {
    std::lock_guard lock(mutex_);
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->second.deadline <= now) {
        due.push_back(std::move(it->second.done));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& done : due) done(std::nullopt);
}

std::size_t JobWaiters::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

}  // namespace genq
