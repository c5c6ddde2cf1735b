#pragma once
// Keeps one job's lease alive while the job runs, on a thread of its own: sends the
// newest progress the backend reported (so a backend never waits on the network,
// and a backend faster than the network has its updates coalesced), and a heartbeat
// whenever heartbeat_interval passes without a successful call. Retries network
// errors and 5xx with backoff, keeping the newest progress for the retry. On 409
// (also 404 and 401/403: the job can no longer be ours) it cancels the job's
// CancelToken with CancelReason::LeaseLost and stops.
//
// Owned by the job's runner; report() is safe from any thread, start()/stop() from
// the owner only.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "genq/core/error.hpp"
#include "genq/runner/backends/backend.hpp"
#include "genq/runner/backoff.hpp"
#include "genq/runner/cancel_token.hpp"

namespace genq::runner {

// The two calls that extend one job's lease. Only the keeper's thread calls them;
// `abort` turns true when the keeper is stopping.
class LeaseChannel {
 public:
  virtual ~LeaseChannel() = default;
  virtual Status progress(double percent, std::string_view preview_jpeg, const std::atomic<bool>* abort) = 0;
  virtual Status heartbeat(const std::atomic<bool>* abort) = 0;
};

class LeaseKeeper final : public ProgressSink {
 public:
  // `job_cancel` is borrowed and must outlive the keeper.
  LeaseKeeper(std::unique_ptr<LeaseChannel> channel, std::string job_id,
              std::chrono::milliseconds heartbeat_interval, CancelToken& job_cancel,
              Backoff backoff = Backoff());
  ~LeaseKeeper() override;
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  void start();
  // Queues an update, replacing one not sent yet; returns at once.
  void report(double percent, std::string preview_jpeg) override;
  void note_failure_detail(std::string detail) override;
  std::string failure_detail() const;
  // Stops sending and joins the thread (an update still queued is dropped, a call in
  // flight is aborted). Idempotent.
  void stop();

  // Counts of successful calls, for tests and the job's log line.
  int progress_sent() const;
  int heartbeats_sent() const;

 private:
  struct Update {
    double percent = 0;
    std::string preview_jpeg;
  };
  void run();
  // Requires: mutex_ held. Decides what a failed call means; false ends the thread.
  bool on_failure(const Error& error, std::optional<Update>&& update);

  std::unique_ptr<LeaseChannel> channel_;
  const std::string job_id_;
  const std::chrono::milliseconds heartbeat_interval_;
  CancelToken& job_cancel_;
  Backoff backoff_;  // used by the keeper thread only

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<Update> pending_;  // GUARDED_BY(mutex_)
  bool stop_requested_ = false;    // GUARDED_BY(mutex_)
  int progress_sent_ = 0;          // GUARDED_BY(mutex_)
  int heartbeats_sent_ = 0;        // GUARDED_BY(mutex_)
  std::string failure_detail_;     // GUARDED_BY(mutex_)
  std::atomic<bool> aborting_{false};  // mirrors stop_requested_ for calls in flight
  std::thread thread_;
};

}  // namespace genq::runner
