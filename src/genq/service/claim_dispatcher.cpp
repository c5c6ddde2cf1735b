#include "genq/service/claim_dispatcher.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <vector>

namespace genq {
namespace net = boost::asio;

struct ClaimDispatcher::Waiter {
  Waiter(ClaimRequest r, Done d, net::io_context& ioc)
      : request(std::move(r)), done(std::move(d)), timer(net::make_strand(ioc)) {}
  ClaimRequest request;
  Done done;
  net::steady_timer timer;  // touched only through its own strand
  // GUARDED_BY(ClaimDispatcher::mutex_):
  bool in_flight = false;  // a claim for this waiter is running
  bool dirty = false;      // a wake-up came while in flight: try again
  bool timed_out = false;  // the wait ran out while in flight
  bool finished = false;   // done was (or is being) called
  bool abandoned = false;  // the worker hung up: never call done
  std::chrono::steady_clock::time_point last_try = std::chrono::steady_clock::now();  // of a claim attempt
};

std::function<void()> ClaimDispatcher::claim(ClaimRequest request, Millis wait, Done done) {
  auto waiter = std::make_shared<Waiter>(std::move(request), std::move(done), ioc_);
  // The first attempt owns the flight from here, so a timeout that fires before it
  // starts (wait_ms 0) lets it run and deliver instead of answering empty.
  waiter->in_flight = true;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) wait = Millis(0);
    waiters_.push_back(waiter);
  }
  net::post(waiter->timer.get_executor(), [this, waiter, wait] {
    waiter->timer.expires_after(wait);
    waiter->timer.async_wait([this, waiter](boost::system::error_code ec) {
      if (!ec) on_timeout(waiter);
    });
  });
  // Registered before the first attempt, so a job submitted in between still wakes us.
  run_attempts(waiter);
  return [this, weak = std::weak_ptr<Waiter>(waiter)] {
    if (auto alive = weak.lock()) abandon(alive);
  };
}

void ClaimDispatcher::abandon(const std::shared_ptr<Waiter>& waiter) {
  {
    std::lock_guard lock(mutex_);
    if (waiter->finished) return;
    waiter->abandoned = true;
    if (waiter->in_flight) return;  // the running attempt sees it and gives its leases back
    waiter->finished = true;
    remove(waiter);
  }
  net::post(waiter->timer.get_executor(), [waiter] { waiter->timer.cancel(); });
}

void ClaimDispatcher::release(const std::vector<Lease>& leases) {
  for (const Lease& lease : leases) {
    service_.release(LeaseRef{lease.job.id, lease.job.lease_id}, [job_id = lease.job.id, worker_id = lease.job.worker_id](
                                                                    Result<Job> released) {
      if (released) {
        spdlog::info("job {}: claim answer undeliverable (worker {} hung up); pending again", job_id, worker_id);
      } else {
        spdlog::warn("job {}: cannot give back the lease of a worker that hung up: {}", job_id,
                     released.error().message);
      }
    });
  }
}

void ClaimDispatcher::attempt(const std::shared_ptr<Waiter>& waiter) {
  {
    std::lock_guard lock(mutex_);
    if (waiter->finished) return;
    if (waiter->in_flight) {
      waiter->dirty = true;
      return;
    }
    waiter->in_flight = true;
    waiter->dirty = false;
    waiter->last_try = std::chrono::steady_clock::now();
  }
  run_attempts(waiter);
}

void ClaimDispatcher::run_attempts(const std::shared_ptr<Waiter>& waiter) {
  service_.try_claim(waiter->request,
                     [this, waiter](Result<std::vector<Lease>> leases) { on_claimed(waiter, std::move(leases)); });
}

void ClaimDispatcher::on_claimed(const std::shared_ptr<Waiter>& waiter, Result<std::vector<Lease>> leases) {
  std::unique_lock lock(mutex_);
  waiter->in_flight = false;
  if (waiter->abandoned || !leases || !leases->empty() || waiter->timed_out) {
    const bool abandoned = waiter->abandoned;
    waiter->finished = true;
    remove(waiter);
    lock.unlock();
    if (abandoned) {
      if (leases) release(*leases);  // nobody is listening for them
      net::post(waiter->timer.get_executor(), [waiter] { waiter->timer.cancel(); });
      return;
    }
    // Answered from the I/O threads: rendering the leases is no work for the store's
    // thread, which has the next batch to commit.
    net::post(waiter->timer.get_executor(), [waiter, leases = std::move(leases)]() mutable {
      waiter->timer.cancel();
      waiter->done(std::move(leases));
    });
    return;
  }
  if (!waiter->dirty) return;  // stays registered until woken or timed out
  waiter->dirty = false;
  waiter->in_flight = true;
  waiter->last_try = std::chrono::steady_clock::now();
  lock.unlock();
  run_attempts(waiter);  // a wake-up came while this claim ran: claim again
}

void ClaimDispatcher::on_timeout(const std::shared_ptr<Waiter>& waiter) {
  {
    std::lock_guard lock(mutex_);
    if (waiter->finished) return;
    if (waiter->in_flight) {
      waiter->timed_out = true;  // the running attempt delivers
      return;
    }
    waiter->finished = true;
    remove(waiter);
  }
  waiter->done(std::vector<Lease>{});
}

void ClaimDispatcher::on_job_pending(std::string_view model) {
  std::shared_ptr<Waiter> chosen;
  {
    std::lock_guard lock(mutex_);
    for (auto& w : waiters_) {
      if (w->finished) continue;
      const auto& models = w->request.models;
      if (std::find(models.begin(), models.end(), model) == models.end()) continue;
      if (!w->in_flight) {
        chosen = w;
        break;
      }
      if (!chosen) chosen = w;  // all busy: the first one retries when its claim returns
    }
  }
  if (chosen) attempt(chosen);
}

std::size_t ClaimDispatcher::recheck(Millis quiet) {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<Waiter>> due;
  {
    std::lock_guard lock(mutex_);
    for (auto& w : waiters_) {
      if (!w->finished && !w->in_flight && now - w->last_try >= quiet) due.push_back(w);
    }
  }
  for (auto& w : due) attempt(w);
  return due.size();
}

void ClaimDispatcher::remove(const std::shared_ptr<Waiter>& waiter) {
  waiters_.remove(waiter);
}

void ClaimDispatcher::stop_waiting() {
  std::vector<std::shared_ptr<Waiter>> all;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    all.assign(waiters_.begin(), waiters_.end());
  }
  for (auto& w : all) {
    net::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
    on_timeout(w);
  }
}

std::size_t ClaimDispatcher::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

}  // namespace genq
