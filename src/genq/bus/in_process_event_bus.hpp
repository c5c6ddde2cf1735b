#pragma once
// The bus of a single server: publish delivers to this process's subscribers and
// nothing else. Always ready. Thread-safe.
#include "genq/bus/event_bus.hpp"
#include "genq/bus/job_fanout.hpp"

namespace genq {

class InProcessEventBus final : public EventBus {
 public:
  void publish(const Job& job) override { fanout_.deliver_local(job); }
  void deliver_current(const Job& job, const JobHandler& handler) override { fanout_.deliver_current(job, handler); }
  void subscribe_summaries(SummaryHandler handler) override { fanout_.add_summary_handler(std::move(handler)); }
  void subscribe_jobs(JobWanted wanted, JobHandler handler) override {
    fanout_.add_job_handler(std::move(wanted), std::move(handler));
  }
  BusHealth health() const override { return {true, "in-process"}; }

 private:
  JobFanout fanout_;
};

}  // namespace genq
