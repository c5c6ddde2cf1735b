#pragma once
// The job operations of the sqlite store as plain functions over one connection:
// the SQL of each JobStore method, without the concurrency around it. SqliteStore runs
// the mutations inside a group-commit transaction on the writer connection and the
// reads on a pooled read-only connection.
//
// Not thread-safe by themselves: each call needs the connection to itself. Mutations
// require an open write transaction; times are passed in so they are read once, on
// the thread that runs the operation.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/core/job.hpp"
#include "genq/store/job_store.hpp"
#include "genq/store/store_rules.hpp"
#include "genq/store/sqlite/sqlite_connection.hpp"

namespace genq::sqlite {

using store_rules::kIdempotencyWindow;

// --- writes (job_writes.cpp) ---
Result<SubmitOutcome> submit_job(Connection& connection, const NewJob& job, TimePoint now);
Result<std::vector<Lease>> claim_jobs(Connection& connection, const ClaimRequest& request, TimePoint now);
Result<Job> cancel_job(Connection& connection, const std::string& job_id, const std::string& client_id,
                       TimePoint now);
// --- client retries and purges (job_retries.cpp) ---
Result<Job> retry_job(Connection& connection, const std::string& job_id, const std::string& client_id,
                      TimePoint now);
Result<std::vector<Job>> purge_pending_jobs(Connection& connection, const PurgeRequest& request, TimePoint now);

// --- under a lease (lease_ops.cpp); Conflict("lease lost") unless the lease is current ---
Result<TimePoint> heartbeat_lease(Connection& connection, const LeaseRef& lease, TimePoint now,
                                  Millis extend);
// Requires: `progress` is finite (the store rejects NaN before queueing the write).
Result<Job> record_progress(Connection& connection, const LeaseRef& lease, double progress,
                            const std::optional<std::string>& preview_jpeg, TimePoint now, Millis extend);
Result<Job> complete_job(Connection& connection, const LeaseRef& lease, const JobResult& result,
                         TimePoint now);
// `error_code` is job.failed's code when one of deAPI's six, else PROCESSING_ERROR.
Result<Job> fail_job(Connection& connection, const LeaseRef& lease, const std::string& message,
                     bool retryable, std::string_view error_code, const std::string& detail, TimePoint now);
// The file a worker stored for the job (PUT .../result): kept until the job completes
// (it becomes the result), or retention removes it. No version bump: not published.
Result<Job> record_upload(Connection& connection, const LeaseRef& lease, const std::string& key,
                          const std::string& mime);
// A claim whose answer never reached its worker: pending again, the attempt not counted.
Result<Job> release_job(Connection& connection, const LeaseRef& lease);

// --- sweeps (job_sweeps.cpp, job_deadlines.cpp) ---
Result<std::vector<Job>> requeue_expired_leases(Connection& connection, TimePoint now);
// JobStore::expire_deadlines: pending jobs past start_deadline, running ones past run_deadline.
Result<std::vector<Job>> expire_job_deadlines(Connection& connection, TimePoint now);
// `now` is the wall clock, used to drop idempotency keys past their window.
Result<std::vector<std::string>> expire_job_results(Connection& connection, TimePoint before, TimePoint now);
// Deletes up to `limit` jobs finished before `before` that hold no files any more,
// with their webhook deliveries and attempts; returns how many.
Result<std::int64_t> delete_finished_jobs(Connection& connection, TimePoint before, int limit, TimePoint now);

// --- reads (job_reads.cpp); any connection, no transaction needed ---
// nullopt if no such job.
Result<std::optional<Job>> find_job(Connection& connection, const std::string& job_id);
// NotFound if no such job; nullopt if it is not pending.
Result<std::optional<std::int64_t>> pending_ahead_of(Connection& connection, const std::string& job_id);
Result<StatusCounts> count_jobs_by_status(Connection& connection);
Result<std::vector<ModelQueue>> list_model_queues(Connection& connection);
Result<std::vector<PendingEntry>> list_pending_entries(Connection& connection);

// --- lists (job_lists.cpp); any connection ---
Result<JobPage> list_jobs(Connection& connection, const JobListQuery& query);
Result<std::vector<Job>> list_jobs_to_replay(Connection& connection, const std::string& client_id, TimePoint ended_since,
                                             int limit);
Result<std::vector<ModelLoad>> list_model_loads(Connection& connection);

// --- worker presence (worker_sightings.cpp) ---
// Requires: an open write transaction.
Status upsert_workers(Connection& connection, const std::vector<WorkerSighting>& sightings, TimePoint forget_before);
Result<std::vector<WorkerRecord>> read_workers(Connection& connection, TimePoint since, TimePoint now);

}  // namespace genq::sqlite
