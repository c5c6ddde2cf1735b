#pragma once
// Worker presence every node sees the same (docs/operations.md, "Worker presence";
// GET /api/v1/admin/workers). The worker routes note each claim and progress report
// here, in memory: a map update, so a claim costs what it did. flush(), run by a timer
// every kFlushPeriod, writes what was noted since to the store in one call: at most
// one write per worker per period, whatever the worker's call rate. The per-node
// counts of /metrics stay with WorkerPresence. Thread-safe.
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/store/account_store.hpp"
#include "genq/store/job_store.hpp"

namespace genq {

class WorkerSightings {
 public:
  // How often noted calls reach the store.
  static constexpr Millis kFlushPeriod{3'000};
  // A worker is online while seen within this window (longer than the longest claim
  // long-poll, 60 s, plus a flush period) or while it holds a live lease (heartbeats
  // keep one live, so a worker busy on one long job stays online).
  static constexpr Millis kOnlineWindow{90'000};
  // Workers not seen for this long are forgotten.
  static constexpr std::chrono::hours kForgetAfter{24};

  explicit WorkerSightings(JobStore& store) : store_(store) {}

  // A call of `worker_id` under `token`; `models` is what it asked to claim (null for a
  // report on a job, which keeps the models it last asked for).
  void seen(std::string_view worker_id, const WorkerToken& token, const std::vector<std::string>* models,
            TimePoint now);
  // Writes what was noted since the last flush, and forgets workers not seen for
  // kForgetAfter. Blocks on the store: run it off the I/O threads.
  Status flush(TimePoint now);

 private:
  JobStore& store_;
  std::mutex mutex_;
  std::map<std::string, WorkerSighting, std::less<>> noted_;  // GUARDED_BY(mutex_)
};

}  // namespace genq
