#include "genq/runner/worker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "genq/runner/backoff.hpp"
#include "genq/runner/worker_api.hpp"

namespace genq::runner {
namespace {

using namespace std::chrono_literals;

// The protocol's upper bound for max_jobs.
constexpr int kMaxJobsPerClaim = 32;
// An empty answer sooner than this means the server did not hold the request (an old
// server, or wait_ms 0): pause so the loop cannot spin.
constexpr auto kMinClaimInterval = 1s;

}  // namespace

Worker::Worker(WorkerConfig config, std::unique_ptr<Backend> backend)
    : config_(std::move(config)), backend_(std::move(backend)) {}

Worker::~Worker() {
  stop_claiming();
  abandon_jobs();
  join();
}

void Worker::start() { claim_thread_ = std::thread([this] { claim_loop(); }); }

void Worker::stop_claiming() {
  stop_.cancel();
  {
    std::lock_guard lock(mutex_);  // orders the cancel before a waiter's predicate check
  }
  slot_freed_.notify_all();
}

void Worker::abandon_jobs() {
  std::lock_guard lock(mutex_);
  for (Slot& slot : slots_) {
    if (!slot.done) {
      slot.runner->abandon();
    }
  }
}

bool Worker::finished() const {
  std::lock_guard lock(mutex_);
  return claim_loop_done_.load() && running_locked() == 0;
}

int Worker::running_jobs() const {
  std::lock_guard lock(mutex_);
  return running_locked();
}

int Worker::running_locked() const {
  return static_cast<int>(std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) { return !s.done; }));
}

void Worker::join() {
  if (claim_thread_.joinable()) {
    claim_thread_.join();
  }
  {
    std::unique_lock lock(mutex_);
    slot_freed_.wait(lock, [this] { return running_locked() == 0; });
  }
  reap();
}

void Worker::claim_loop() {
  WorkerApi api(config_.server.url, config_.server.token);
  Backoff backoff;
  spdlog::info("worker {} taking jobs from {} ({} slot{})", config_.worker_id, config_.server.url,
               config_.concurrency, config_.concurrency == 1 ? "" : "s");
  while (!stop_.cancelled()) {
    reap();
    int free_slots = 0;
    {
      std::unique_lock lock(mutex_);
      slot_freed_.wait(lock, [this] { return stop_.cancelled() || running_locked() < config_.concurrency; });
      if (stop_.cancelled()) {
        break;
      }
      free_slots = config_.concurrency - running_locked();
    }
    const ClaimRequest request{config_.worker_id, config_.models, std::min(free_slots, kMaxJobsPerClaim),
                               config_.wait};
    const auto asked_at = std::chrono::steady_clock::now();
    auto jobs = api.claim(request, &stop_.flag());
    if (!jobs) {
      if (stop_.cancelled()) {
        break;
      }
      const Error& error = jobs.error();
      if (error.kind != ErrorKind::Unavailable && error.kind != ErrorKind::Internal) {
        spdlog::error("claim refused: {}; the worker stops taking jobs", error.message);
        exit_code_.store(1);
        break;
      }
      const auto delay = backoff.next();
      spdlog::warn("claim: {}; retrying in {:.1f} s", error.message, std::chrono::duration<double>(delay).count());
      stop_.wait_for(delay);
      continue;
    }
    if (backoff.failures() > 0) {
      spdlog::info("claim: server answers again");
    }
    backoff.reset();
    for (ClaimedJob& job : *jobs) {
      launch(api, std::move(job));
    }
    if (jobs->empty() && std::chrono::steady_clock::now() - asked_at < kMinClaimInterval) {
      stop_.wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(kMinClaimInterval));
    }
  }
  claim_loop_done_.store(true);
  spdlog::info("worker {} stopped taking jobs", config_.worker_id);
}

void Worker::launch(WorkerApi& api, ClaimedJob job) {
  {
    std::lock_guard lock(mutex_);
    if (running_locked() < config_.concurrency) {
      Slot& slot = slots_.emplace_back();
      slot.runner = std::make_unique<JobRunner>(config_.server, *backend_, config_.temp_root, std::move(job));
      Slot* running = &slot;
      slot.thread = std::thread([this, running] {
        running->runner->run();
        {
          std::lock_guard done_lock(mutex_);
          running->done = true;
        }
        slot_freed_.notify_all();
      });
      return;
    }
  }
  // The server sent more than max_jobs: hand the extra back rather than overrun.
  spdlog::warn("job {}: no free slot; handing it back", job.lease.job_id);
  if (auto handed = api.release(job.lease); !handed) {
    spdlog::warn("job {}: could not hand back: {}", job.lease.job_id, handed.error().message);
  }
}

void Worker::reap() {
  std::vector<std::thread> ended;
  {
    std::lock_guard lock(mutex_);
    for (auto it = slots_.begin(); it != slots_.end();) {
      if (it->done) {
        ended.push_back(std::move(it->thread));
        it = slots_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (std::thread& thread : ended) {
    thread.join();
  }
}

}  // namespace genq::runner
