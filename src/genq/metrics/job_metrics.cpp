#include "genq/metrics/job_metrics.hpp"

#include <algorithm>
#include <string>

namespace genq {
namespace {

double seconds_between(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

void JobMetrics::submitted(const Job& job) { models_.at(job.model).submitted.add(); }

void JobMetrics::claimed(const Job& job, TimePoint now) {
  ModelSeries& s = models_.at(job.model);
  s.claimed.add();
  // A retried job's later claims would measure its retries, not the queue.
  if (job.attempts <= 1) s.queue_wait.observe(std::max(0.0, seconds_between(job.created_at, now)));
}

void JobMetrics::completed(const Job& job) {
  ModelSeries& s = models_.at(job.model);
  s.completed.add();
  if (job.started_at && job.finished_at) {
    s.run.observe(std::max(0.0, seconds_between(*job.started_at, *job.finished_at)));
  }
}

void JobMetrics::failed(const Job& job) {
  ModelSeries& s = models_.at(job.model);
  if (job.status == JobStatus::Pending) {
    s.requeued_retry.add();
  } else {
    s.failed.add();
  }
}

void JobMetrics::cancelled(const Job& job) { models_.at(job.model).cancelled.add(); }

void JobMetrics::lease_expired(const Job& job) {
  ModelSeries& s = models_.at(job.model);
  s.lease_expiries.add();
  if (job.status == JobStatus::Pending) {
    s.requeued_lease.add();
  } else {
    s.failed.add();  // its attempts are used up
  }
}

void JobMetrics::released(const Job& job) { models_.at(job.model).requeued_released.add(); }

void JobMetrics::deadline_passed(const Job& job) {
  ModelSeries& s = models_.at(job.model);
  s.failed.add();
  // A timed-out attempt keeps its run_deadline; an expired job, pending, has none (the
  // sweep clears one a requeued job kept from an earlier attempt).
  if (job.run_deadline) {
    s.timed_out.add();
  } else {
    s.expired.add();
  }
}

void JobMetrics::render(Exposition& out) const {
  struct CounterFamily {
    const char* name;
    const char* help;
    Counter ModelSeries::*field;
  };
  static const CounterFamily kCounters[] = {
      {"genq_jobs_submitted_total", "Jobs submitted on this node, by model.", &ModelSeries::submitted},
      {"genq_jobs_claimed_total", "Jobs claimed by workers through this node (each attempt), by model.",
       &ModelSeries::claimed},
      {"genq_jobs_completed_total", "Jobs that ended done on this node, by model.", &ModelSeries::completed},
      {"genq_jobs_failed_total",
       "Jobs that ended in error on this node (a final failure, expired leases with no attempt left, or a "
       "deadline passed), by model.",
       &ModelSeries::failed},
      {"genq_jobs_cancelled_total", "Jobs cancelled by their client on this node, by model.",
       &ModelSeries::cancelled},
      {"genq_lease_expiries_total", "Leases this node's sweeps found expired, by model.",
       &ModelSeries::lease_expiries},
      {"genq_jobs_expired_total",
       "Jobs that ended in error EXPIRED on this node: still pending at their cancel_after, by model.",
       &ModelSeries::expired},
      {"genq_jobs_timed_out_total",
       "Jobs that ended in error WORKER_TIMEOUT on this node: an attempt ran past its execution_timeout, by model.",
       &ModelSeries::timed_out},
  };
  for (const auto& family : kCounters) {
    out.family(family.name, family.help, "counter");
    models_.for_each([&](const std::string& model, const ModelSeries& s) {
      out.sample(family.name, label("model", model),
                 static_cast<double>((s.*family.field).n.load(std::memory_order_relaxed)));
    });
  }
  out.family("genq_job_requeues_total",
             "Jobs put back to pending, by model and reason: lease_expired, retryable_failure, released "
             "(the claiming worker hung up before it got the job).",
             "counter");
  models_.for_each([&](const std::string& model, const ModelSeries& s) {
    const std::string m = label("model", model);
    out.sample("genq_job_requeues_total", m + "," + label("reason", "lease_expired"),
               static_cast<double>(s.requeued_lease.n.load(std::memory_order_relaxed)));
    out.sample("genq_job_requeues_total", m + "," + label("reason", "released"),
               static_cast<double>(s.requeued_released.n.load(std::memory_order_relaxed)));
    out.sample("genq_job_requeues_total", m + "," + label("reason", "retryable_failure"),
               static_cast<double>(s.requeued_retry.n.load(std::memory_order_relaxed)));
  });
  out.family("genq_job_queue_wait_seconds", "Time from submit to a job's first claim, by model.", "histogram");
  models_.for_each([&](const std::string& model, const ModelSeries& s) {
    out.histogram("genq_job_queue_wait_seconds", label("model", model), s.queue_wait.snapshot());
  });
  out.family("genq_job_run_seconds", "Time from a job's first claim to done, by model.", "histogram");
  models_.for_each([&](const std::string& model, const ModelSeries& s) {
    out.histogram("genq_job_run_seconds", label("model", model), s.run.snapshot());
  });
}

}  // namespace genq
