#pragma once
// Job change notifications inside one server and, with the redis/ implementation,
// across servers. Subscribers: long-poll claim wake-ups, WebSocket channels, prompt
// waits, metrics.
//
// Two kinds of subscription keep remote changes cheap:
//  - summaries: every change, local or remote, as a JobSummary (id, client, model,
//    status, progress, version, submit sequence). What claim wake-ups and counters need.
//  - whole jobs: for subscribers that render results or previews. Each says, from the
//    summary, whether it wants the job; for a change made on another node the job is
//    read from the store only when some subscriber wants it.
// Order: no subscriber sees an older version of a job after a newer one, nor any
// change after a final one (job_fanout.hpp).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "genq/core/job.hpp"

namespace genq {

// A job change as every node hears of it: what fits in a small pub/sub message.
// Borrowed for the length of the handler call: publishing copies no job.
struct JobSummary {
  std::string_view id;
  std::string_view client_id;
  std::string_view model;
  JobStatus status = JobStatus::Pending;
  std::optional<double> progress;
  std::int64_t version = 0;  // Job::version; 0 = unknown
  bool remote = false;       // published by another node
  std::int64_t seq = 0;      // Job::seq, the submit order (queue positions); 0 = unknown
};

inline JobSummary summarize(const Job& job) {
  return JobSummary{job.id, job.client_id, job.model, job.status, job.progress, job.version, false, job.seq};
}

// Whether the bus reaches the other nodes; /readyz reports it.
struct BusHealth {
  bool ready = true;
  std::string detail;  // "in-process", "connected to redis://…", why not
};

// Thread-safe. Handlers run on the publishing thread (local changes) or on the bus's
// own threads (remote ones): keep them short and never block, and do not publish from
// inside one.
class EventBus {
 public:
  using SummaryHandler = std::function<void(const JobSummary&)>;
  using JobWanted = std::function<bool(const JobSummary&)>;
  using JobHandler = std::function<void(const Job&)>;

  virtual ~EventBus() = default;
  // Announces a change the store has made durable. This process's subscribers have
  // heard of it when publish returns; other nodes hear of it later, and publish never
  // waits for the network.
  virtual void publish(const Job& job) = 0;
  // Subscriptions are made during start-up, before the first publish.
  virtual void subscribe_summaries(SummaryHandler handler) = 0;
  // `handler` gets the whole job for the changes `wanted` accepts. `wanted` runs on
  // every change and must be cheap (a map lookup); the job it is then given may be
  // newer than the summary it accepted (read from the store later).
  virtual void subscribe_jobs(JobWanted wanted, JobHandler handler) = 0;
  // Calls `handler` with `job`, a state read from the store for one listener (a client
  // reconnecting to its channel), unless a newer change of the job was already
  // delivered to job subscribers; ordered with those deliveries, so it never arrives
  // after a newer change. On the calling thread.
  virtual void deliver_current(const Job& job, const JobHandler& handler) = 0;
  virtual BusHealth health() const = 0;
};

}  // namespace genq
