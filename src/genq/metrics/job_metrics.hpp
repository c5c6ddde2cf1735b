#pragma once
// Job counts and latencies by model, as this node's JobService changed them (each
// node counts its own transitions, so a sum over nodes counts each once):
//   genq_jobs_{submitted,claimed,completed,failed,cancelled}_total{model}
//   genq_job_queue_wait_seconds{model}   submit -> first claim
//   genq_job_run_seconds{model}          first claim -> done
//   genq_lease_expiries_total{model}     leases that ran out (sweeps)
//   genq_job_requeues_total{model,reason} back to pending: lease_expired,
//                                         retryable_failure, released (a claim whose
//                                         worker hung up)
// Lock-free after a model's first job (LabeledSeries).
#include <atomic>
#include <cstdint>
#include <string_view>

#include "genq/core/clock.hpp"
#include "genq/core/job.hpp"
#include "genq/metrics/exposition.hpp"
#include "genq/metrics/histogram.hpp"
#include "genq/metrics/labeled_series.hpp"

namespace genq {

class JobMetrics {
 public:
  // Gives `model` its series before its first job, so dashboards and alerts see zeros
  // rather than nothing.
  void add_model(std::string_view model) { models_.at(model); }
  void submitted(const Job& job);
  // `job` as the claim left it (attempts counts this claim).
  void claimed(const Job& job, TimePoint now);
  // A job that reached done.
  void completed(const Job& job);
  // A worker's failure report: final (error) or retried (pending again).
  void failed(const Job& job);
  void cancelled(const Job& job);
  // A sweep found the lease expired; `job` as it is now (pending again, or error).
  void lease_expired(const Job& job);
  // A claim given back because its worker hung up before receiving it.
  void released(const Job& job);
  // The deadline sweep ended it: EXPIRED when it never started (cancel_after), else its
  // attempt timed out (execution_timeout).
  void deadline_passed(const Job& job);

  void render(Exposition& out) const;

 private:
  struct Counter {
    std::atomic<std::uint64_t> n{0};
    void add() { n.fetch_add(1, std::memory_order_relaxed); }
  };
  struct ModelSeries {
    Counter submitted, claimed, completed, failed, cancelled, lease_expiries, expired, timed_out;
    Counter requeued_lease, requeued_retry, requeued_released;
    Histogram queue_wait{buckets::job_seconds()};
    Histogram run{buckets::job_seconds()};
  };
  LabeledSeries<ModelSeries> models_;
};

}  // namespace genq
