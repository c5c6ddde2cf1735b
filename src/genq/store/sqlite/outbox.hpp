#pragma once
// The write side of the webhook outbox: the job transitions call record_job_event()
// inside their own transaction, so a delivery exists exactly when its transition
// committed (docs/webhooks.md, "Durability").
//
// Not thread-safe by itself, like job_ops.hpp: it runs on the writer connection.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/core/job.hpp"
#include "genq/store/sqlite/sqlite_connection.hpp"

namespace genq::sqlite {

// Queues the webhook that reports `job` (as it is after its transition from
// `previous`): job.processing, job.completed or job.failed by job.status; nothing for
// other statuses. The target is the job's webhook_url, else the client's account
// webhook if its events list takes the event; no target, no row. `error_code` is
// for job.failed (kErrorCancelled, ...).
// Requires: an open write transaction, the one that made the transition.
Status record_job_event(Connection& connection, const Job& job, JobStatus previous, std::string_view error_code,
                        TimePoint now);

// record_job_event for each job a sweep ended, with its status before the sweep from
// `previous` (by id; `fallback` for an id not there).
Status record_job_events(Connection& connection, const std::vector<Job>& jobs,
                         const std::map<std::string, JobStatus>& previous, JobStatus fallback,
                         std::string_view error_code, TimePoint now);

}  // namespace genq::sqlite
