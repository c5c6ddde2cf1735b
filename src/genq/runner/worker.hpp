#pragma once
// The worker runtime: a claim loop that long-polls for as many jobs as it has free
// slots, and one thread per running job (a JobRunner). Never runs more than
// `concurrency` jobs at once. Reconnects by itself: network errors and 5xx on claim
// back off 0.5 s doubling to 30 s; a rejected token (401/403) or request (4xx) stops
// the claim loop with exit code 1.
//
// Owned by run_worker(). start(), stop_claiming(), abandon_jobs() and join() are for
// the owning thread; the status queries are thread-safe.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "genq/runner/backends/backend.hpp"
#include "genq/runner/cancel_token.hpp"
#include "genq/runner/claimed_job.hpp"
#include "genq/runner/job_runner.hpp"
#include "genq/runner/worker_api.hpp"

namespace genq::runner {

struct WorkerConfig {
  ServerEndpoint server;
  std::string worker_id;
  std::vector<std::string> models;  // empty: whatever the token allows
  int concurrency = 1;
  std::chrono::milliseconds wait{25'000};
  std::filesystem::path temp_root;  // job work directories go under it
};

class Worker {
 public:
  Worker(WorkerConfig config, std::unique_ptr<Backend> backend);
  ~Worker();  // abandons running jobs and joins every thread
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  // No more claims; a claim waiting on the server is aborted. Running jobs go on.
  void stop_claiming();
  // Stops running jobs; each hands its job back with release.
  void abandon_jobs();
  // The claim loop has ended and no job is running.
  bool finished() const;
  int running_jobs() const;
  // 0 normally; 1 when the server refused this worker's token or claim request.
  int exit_code() const { return exit_code_.load(); }
  // Waits for the claim loop and every job thread. Requires: finished() or stop_claiming().
  void join();

 private:
  struct Slot {
    std::unique_ptr<JobRunner> runner;
    std::thread thread;
    bool done = false;  // GUARDED_BY(mutex_)
  };

  void claim_loop();
  // Requires: mutex_ held.
  int running_locked() const;
  void launch(WorkerApi& api, ClaimedJob job);
  // Joins the threads of jobs that have ended.
  void reap();

  const WorkerConfig config_;
  const std::unique_ptr<Backend> backend_;
  CancelToken stop_;  // stops the claim loop
  std::atomic<bool> claim_loop_done_{false};
  std::atomic<int> exit_code_{0};
  std::thread claim_thread_;

  mutable std::mutex mutex_;
  std::condition_variable slot_freed_;
  std::list<Slot> slots_;  // GUARDED_BY(mutex_); list: Slot addresses stay put
};

}  // namespace genq::runner
