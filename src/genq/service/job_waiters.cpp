#include "genq/service/job_waiters.hpp"

#include <vector>

namespace genq {

void JobWaiters::wait(const std::string& job_id, TimePoint deadline, Done done) {
  {
    std::unique_lock lock(mutex_);
    if (stopping_) {
      lock.unlock();
      return done(std::nullopt);
    }
    waiters_.emplace(job_id, Waiter{deadline, std::move(done)});
  }
  read_(job_id, [this](std::optional<Job> job) {
    if (job) on_job(*job);
  });
}

std::optional<JobWaiters::Waiter> JobWaiters::take(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  auto it = waiters_.find(job_id);
  if (it == waiters_.end()) return std::nullopt;
  Waiter w = std::move(it->second);
  waiters_.erase(it);
  return w;
}

bool JobWaiters::wants(const JobSummary& change) const {
  if (!is_final(change.status)) return false;
  std::lock_guard lock(mutex_);
  return waiters_.find(change.id) != waiters_.end();
}

void JobWaiters::on_job(const Job& job) {
  if (!is_final(job.status)) return;
  while (auto waiter = take(job.id)) waiter->done(job);
}

void JobWaiters::recheck() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    for (auto it = waiters_.begin(); it != waiters_.end(); it = waiters_.upper_bound(it->first)) {
      ids.push_back(it->first);
    }
  }
  for (const auto& id : ids) {
    read_(id, [this](std::optional<Job> job) {
      if (job) on_job(*job);
    });
  }
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

void JobWaiters::stop_waiting() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  expire(TimePoint::max());
}

std::size_t JobWaiters::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

}  // namespace genq
