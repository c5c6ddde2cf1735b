#include "genq/runner/lease_keeper.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <utility>

#include "genq/runner/worker_api.hpp"

namespace genq::runner {

using SteadyClock = std::chrono::steady_clock;

LeaseKeeper::LeaseKeeper(std::unique_ptr<LeaseChannel> channel, std::string job_id,
                         std::chrono::milliseconds heartbeat_interval, CancelToken& job_cancel,
                         Backoff backoff)
    : channel_(std::move(channel)),
      job_id_(std::move(job_id)),
      heartbeat_interval_(std::max(heartbeat_interval, std::chrono::milliseconds(1))),
      job_cancel_(job_cancel),
      backoff_(backoff) {}

LeaseKeeper::~LeaseKeeper() { stop(); }

void LeaseKeeper::start() { thread_ = std::thread([this] { run(); }); }

void LeaseKeeper::report(double percent, std::string preview_jpeg) {
  {
    std::lock_guard lock(mutex_);
    pending_ = Update{percent, std::move(preview_jpeg)};
  }
  cv_.notify_all();
}

void LeaseKeeper::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    aborting_.store(true);
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

int LeaseKeeper::progress_sent() const {
  std::lock_guard lock(mutex_);
  return progress_sent_;
}

int LeaseKeeper::heartbeats_sent() const {
  std::lock_guard lock(mutex_);
  return heartbeats_sent_;
}

void LeaseKeeper::run() {
  // The claim itself started the lease, so the first heartbeat is due one interval on.
  auto heartbeat_due = SteadyClock::now() + heartbeat_interval_;
  bool backing_off = false;  // after a retryable failure, until retry_at
  SteadyClock::time_point retry_at = heartbeat_due;
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto wake = backing_off ? retry_at : heartbeat_due;
    cv_.wait_until(lock, wake, [&] { return stop_requested_ || (pending_ && !backing_off); });
    if (stop_requested_) {
      return;
    }
    const bool update_ready = pending_ && !backing_off;
    if (!update_ready && SteadyClock::now() < wake) {
      continue;  // spurious wake-up
    }
    // Either news to send, a heartbeat due, or a retry (of news if any, else a heartbeat).
    std::optional<Update> update = std::exchange(pending_, std::nullopt);
    backing_off = false;
    lock.unlock();
    const Status sent = update ? channel_->progress(update->percent, update->preview_jpeg, &aborting_)
                               : channel_->heartbeat(&aborting_);
    lock.lock();
    if (sent) {
      if (backoff_.failures() > 0) {
        spdlog::info("job {}: server answers again", job_id_);
      }
      backoff_.reset();
      heartbeat_due = SteadyClock::now() + heartbeat_interval_;
      (update ? progress_sent_ : heartbeats_sent_)++;
      continue;
    }
    if (stop_requested_) {
      return;  // the call was aborted by stop()
    }
    if (is_retryable(sent.error())) {
      const char* what = update ? "progress" : "heartbeat";
      if (update && !pending_) {
        pending_ = std::move(update);  // nothing newer came meanwhile: resend this one
      }
      const auto delay = backoff_.next();
      spdlog::warn("job {}: {} failed: {}; retrying in {:.1f} s", job_id_, what, sent.error().message,
                   std::chrono::duration<double>(delay).count());
      backing_off = true;
      retry_at = SteadyClock::now() + delay;
      continue;
    }
    if (!on_failure(sent.error(), std::move(update))) {
      return;
    }
    heartbeat_due = SteadyClock::now() + heartbeat_interval_;
  }
}

bool LeaseKeeper::on_failure(const Error& error, std::optional<Update>&& update) {
  if (error.kind == ErrorKind::Invalid) {
    // E.g. 413 for a preview over the server's cap: this update is lost, the job is not.
    spdlog::warn("job {}: server rejected {}: {}", job_id_, update ? "progress" : "heartbeat", error.message);
    return true;
  }
  if (error.kind == ErrorKind::Conflict) {
    spdlog::warn("job {}: lease lost; stopping", job_id_);
  } else {
    spdlog::warn("job {}: {}; stopping", job_id_, error.message);
  }
  job_cancel_.cancel(CancelReason::LeaseLost);
  return false;
}

void LeaseKeeper::note_failure_detail(std::string detail) {
  std::lock_guard lock(mutex_);
  failure_detail_ = std::move(detail);
}

std::string LeaseKeeper::failure_detail() const {
  std::lock_guard lock(mutex_);
  return failure_detail_;
}

}  // namespace genq::runner
