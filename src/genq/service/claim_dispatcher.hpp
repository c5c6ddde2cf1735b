#pragma once
// Long-poll claims (worker protocol): a worker's claim waits until a job of one of
// its models is pending or its wait runs out. No polling loop: a pending-job event
// wakes exactly one matching waiter, which then claims through the store. Claims are
// asynchronous store writes: no thread waits for one. Across nodes the wake-ups come
// over a lossy bus (Redis pub/sub), so recheck() lets waiters that heard nothing for
// a while claim again anyway. Thread-safe.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string_view>

#include "genq/service/job_service.hpp"

namespace genq {

class ClaimDispatcher {
 public:
  using Done = std::function<void(Result<std::vector<Lease>>)>;

  ClaimDispatcher(JobService& service, boost::asio::io_context& ioc) : service_(service), ioc_(ioc) {}

  // Calls done exactly once, on the I/O threads: with leases as soon as some are claimed, with an empty
  // vector when `wait` passes, or with the store's error — unless the returned
  // function is called first: the worker hung up, so its wait ends without done, and
  // leases claimed for it meanwhile go back to pending with the attempt not counted.
  std::function<void()> claim(ClaimRequest request, Millis wait, Done done);
  // A job of `model` became pending: wake the longest-waiting worker serving it.
  void on_job_pending(std::string_view model);
  // Wakes every waiter whose last claim attempt is at least `quiet` old (all of them
  // with 0): for pending-job events a lossy bus may have dropped. Returns how many.
  std::size_t recheck(Millis quiet);
  // The server is shutting down: every waiting claim is answered now (empty, as if its
  // wait had passed) and later claims make one attempt without waiting, so that no
  // long poll holds the server past its shutdown timeout.
  void stop_waiting();
  std::size_t waiting() const;

 private:
  struct Waiter;
  void attempt(const std::shared_ptr<Waiter>& waiter);
  // Requires: waiter->in_flight set by the caller. Claims until delivered or idle.
  void run_attempts(const std::shared_ptr<Waiter>& waiter);
  void on_claimed(const std::shared_ptr<Waiter>& waiter, Result<std::vector<Lease>> leases);
  void on_timeout(const std::shared_ptr<Waiter>& waiter);
  void abandon(const std::shared_ptr<Waiter>& waiter);
  void release(const std::vector<Lease>& leases);
  void remove(const std::shared_ptr<Waiter>& waiter);  // Requires: mutex_ held

  JobService& service_;
  boost::asio::io_context& ioc_;
  mutable std::mutex mutex_;
  std::list<std::shared_ptr<Waiter>> waiters_;  // GUARDED_BY(mutex_), oldest first
  bool stopping_ = false;                       // GUARDED_BY(mutex_)
};

}  // namespace genq
