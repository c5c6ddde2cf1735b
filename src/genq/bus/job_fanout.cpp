#include "genq/bus/job_fanout.hpp"

#include <functional>

namespace genq {
namespace {

// Depth of deliveries on this thread. A handler that publishes (the contract says it
// must not) would take a second stripe lock while holding one: a lock-order deadlock
// with another thread doing the same the other way round. Nested deliveries skip the
// stripe lock instead, giving up only the cross-thread order for that change.
thread_local int delivering = 0;

class StripeHold {
 public:
  explicit StripeHold(std::mutex& stripe) : stripe_(delivering == 0 ? &stripe : nullptr) {
    if (stripe_) stripe_->lock();
    ++delivering;
  }
  ~StripeHold() {
    --delivering;
    if (stripe_) stripe_->unlock();
  }
  StripeHold(const StripeHold&) = delete;
  StripeHold& operator=(const StripeHold&) = delete;

 private:
  std::mutex* stripe_;
};

}  // namespace

std::mutex& JobFanout::stripe_for(std::string_view job_id) {
  return stripes_[std::hash<std::string_view>{}(job_id) % kStripes];
}

bool JobFanout::deliver_summary(const JobSummary& summary) {
  if (!summaries_.admit(summary.id, summary.version, is_final(summary.status))) return false;
  for (const auto& handler : summary_handlers_) handler(summary);
  return true;
}

bool JobFanout::any_wants(const JobSummary& summary) const {
  for (const auto& subscriber : job_handlers_) {
    if (subscriber.wanted(summary)) return true;
  }
  return false;
}

void JobFanout::deliver_local(const Job& job) {
  const JobSummary summary = summarize(job);
  StripeHold hold(stripe_for(job.id));
  deliver_summary(summary);
  if (job_handlers_.empty() || !jobs_.admit(job.id, job.version, is_final(job.status))) return;
  for (const auto& subscriber : job_handlers_) {
    if (subscriber.wanted(summary)) subscriber.handler(job);
  }
}

bool JobFanout::deliver_remote(const JobSummary& summary) {
  StripeHold hold(stripe_for(summary.id));
  if (!deliver_summary(summary)) return false;  // stale: the newer change was (or is being) handled
  // A change the job subscribers have already seen (or seen past) needs no read.
  return !job_handlers_.empty() && jobs_.would_admit(summary.id, summary.version) && any_wants(summary);
}

void JobFanout::deliver_loaded(const Job& job) {
  JobSummary summary = summarize(job);
  summary.remote = true;
  StripeHold hold(stripe_for(job.id));
  if (!jobs_.admit(job.id, job.version, is_final(job.status))) return;
  for (const auto& subscriber : job_handlers_) {
    if (subscriber.wanted(summary)) subscriber.handler(job);
  }
}

void JobFanout::deliver_current(const Job& job, const EventBus::JobHandler& handler) {
  StripeHold hold(stripe_for(job.id));
  if (jobs_.admitted_newer(job.id, job.version)) return;
  handler(job);
}

}  // namespace genq
