#pragma once
// The subscriber side both buses share: the handler lists, and the order guarantee.
// Each change passes a VersionGate before any handler sees it; the gate check and
// the handlers run under one of a few stripe locks chosen by job id, so two threads
// delivering changes of one job cannot overtake each other between check and
// delivery. Summaries and whole jobs have a gate each: a remote change's summary is
// delivered at once, its job later (after the store read), and each stream is
// ordered on its own.
// Thread-safe. Handlers are added before the first delivery.
#include <array>
#include <mutex>
#include <vector>

#include "genq/bus/event_bus.hpp"
#include "genq/bus/version_gate.hpp"

namespace genq {

class JobFanout {
 public:
  void add_summary_handler(EventBus::SummaryHandler handler) { summary_handlers_.push_back(std::move(handler)); }
  void add_job_handler(EventBus::JobWanted wanted, EventBus::JobHandler handler) {
    job_handlers_.push_back({std::move(wanted), std::move(handler)});
  }

  // A change made in this process: summary and job subscribers alike, the job as it is
  // (no copy, no read).
  void deliver_local(const Job& job);
  // A change made on another node: summary subscribers now. Returns whether some job
  // subscriber wants the whole job, which the caller then reads and passes to
  // deliver_loaded (not on a thread that must not block).
  bool deliver_remote(const JobSummary& summary);
  // The job read from the store for a remote change (it may be newer than the change).
  void deliver_loaded(const Job& job);
  // Calls `handler` with `job` unless job subscribers were already given a newer change
  // of it, in order with those deliveries: a state read from the store and sent to one
  // listener (EventBus::deliver_current) never overtakes a newer change.
  void deliver_current(const Job& job, const EventBus::JobHandler& handler);

 private:
  struct JobSubscriber {
    EventBus::JobWanted wanted;
    EventBus::JobHandler handler;
  };
  static constexpr std::size_t kStripes = 16;
  std::mutex& stripe_for(std::string_view job_id);
  bool deliver_summary(const JobSummary& summary);  // Requires: the job's stripe held
  bool any_wants(const JobSummary& summary) const;

  std::vector<EventBus::SummaryHandler> summary_handlers_;  // written only before delivery starts
  std::vector<JobSubscriber> job_handlers_;                 // written only before delivery starts
  VersionGate summaries_;
  VersionGate jobs_;
  std::array<std::mutex, kStripes> stripes_;
};

}  // namespace genq
