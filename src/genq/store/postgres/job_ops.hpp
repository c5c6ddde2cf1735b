#pragma once
// The job operations of the PostgreSQL store as plain functions over one connection:
// the SQL of each JobStore method, without the concurrency around it. PostgresStore
// runs the transitions in a write-queue batch (write_queue.hpp), the sweeps in a
// transaction of their own on a pooled connection, and the reads on the pool.
//
// Mutations require an open transaction; times are passed in so each is read once.
// Several nodes run these at once on one database: row locks (FOR UPDATE, SKIP
// LOCKED for claims and sweeps) are what keep them from stepping on each other.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/core/job.hpp"
#include "genq/store/job_store.hpp"
#include "genq/store/postgres/pg_connection.hpp"

namespace genq::postgres {

// --- writes (job_writes.cpp) ---
Result<SubmitOutcome> submit_job(Connection& connection, const NewJob& job, TimePoint now);
Result<std::vector<Lease>> claim_jobs(Connection& connection, const ClaimRequest& request, TimePoint now);
Result<Job> cancel_job(Connection& connection, const std::string& job_id, const std::string& client_id, TimePoint now);
// --- client retries and purges (job_retries.cpp) ---
Result<Job> retry_job(Connection& connection, const std::string& job_id, const std::string& client_id,
                      TimePoint now);
Result<std::vector<Job>> purge_pending_jobs(Connection& connection, const PurgeRequest& request, TimePoint now);

// --- under a lease (lease_ops.cpp); Conflict("lease lost") unless the lease is current ---
Result<TimePoint> heartbeat_lease(Connection& connection, const LeaseRef& lease, TimePoint now, Millis extend);
// Requires: `progress` is finite.
Result<Job> record_progress(Connection& connection, const LeaseRef& lease, double progress,
                            const std::optional<std::string>& preview_jpeg, TimePoint now, Millis extend);
Result<Job> complete_job(Connection& connection, const LeaseRef& lease, const JobResult& result, TimePoint now);
Result<Job> fail_job(Connection& connection, const LeaseRef& lease, const std::string& message, bool retryable,
                     std::string_view error_code, const std::string& detail, TimePoint now);
// The file a worker stored for the job (PUT .../result): kept until the job completes
// (it becomes the result), or retention removes it. No version bump: not published.
Result<Job> record_upload(Connection& connection, const LeaseRef& lease, const std::string& key,
                          const std::string& mime);
Result<Job> release_job(Connection& connection, const LeaseRef& lease);

// --- sweeps (job_sweeps.cpp): bounded batches, safe on every node at once ---
// Up to `limit` expired leases, skipping rows another transaction holds; the caller
// repeats while a full batch came back.
Result<std::vector<Job>> requeue_expired_batch(Connection& connection, TimePoint now, int limit);
// Up to `limit` jobs past a deadline (JobStore::expire_deadlines, job_deadlines.cpp).
Result<std::vector<Job>> expire_deadlines_batch(Connection& connection, TimePoint now, int limit);
// Up to `limit` expired results; `keys` gets their blob keys. Returns the jobs cleared.
Result<int> expire_results_batch(Connection& connection, TimePoint before, int limit, std::vector<std::string>& keys);
// Idempotency keys past their window; returns how many went.
Result<std::int64_t> forget_idempotency_keys(Connection& connection, TimePoint now, int limit);
// Deletes up to `limit` jobs finished before `before` that hold no files any more,
// with their webhook deliveries; returns how many.
Result<std::int64_t> delete_finished_jobs_batch(Connection& connection, TimePoint before, int limit, TimePoint now);

// --- reads (job_reads.cpp) ---
Result<std::optional<Job>> find_job(Connection& connection, const std::string& job_id);
Result<std::optional<std::int64_t>> pending_ahead_of(Connection& connection, const std::string& job_id);
Result<StatusCounts> count_jobs_by_status(Connection& connection);
Result<std::vector<ModelQueue>> list_model_queues(Connection& connection);
Result<std::vector<PendingEntry>> list_pending_entries(Connection& connection);

// --- lists (job_lists.cpp); one transaction, so a page agrees with its total ---
Result<JobPage> list_jobs(Connection& connection, const JobListQuery& query);
Result<std::vector<Job>> list_jobs_to_replay(Connection& connection, const std::string& client_id, TimePoint ended_since,
                                             int limit);
Result<std::vector<ModelLoad>> list_model_loads(Connection& connection);

// --- worker presence (worker_sightings.cpp) ---
// Requires: an open transaction.
Status upsert_workers(Connection& connection, const std::vector<WorkerSighting>& sightings, TimePoint forget_before);
Result<std::vector<WorkerRecord>> read_workers(Connection& connection, TimePoint since, TimePoint now);

// --- the webhook outbox (outbox.cpp) ---
// Inserts the delivery of a transition into `job`'s current status, if it reports
// one and has a target. In the transition's own transaction.
Status record_job_event(Connection& connection, const Job& job, JobStatus previous, std::string_view error_code,
                        TimePoint now);

// --- billing (ledger_ops.cpp) ---
// Charges a done job's price once, in the transaction that makes it done.
Status charge_done_job(Connection& connection, const Job& job, TimePoint now);

}  // namespace genq::postgres
