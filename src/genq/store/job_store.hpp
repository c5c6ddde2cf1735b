#pragma once
// The durable record of jobs and leases. Every job transition happens here, each in
// one transaction, so the API and worker layers never reason about partial state.
// Implementations: sqlite/ (embedded default), postgres/ (scale-out, later).
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/core/job.hpp"

namespace genq {

struct NewJob {
  std::string id;  // caller-generated UUID
  std::string client_id;
  std::string task;
  std::string model;
  std::string params_json;
  std::string inputs_json = "{}";
  Dialect dialect = Dialect::Client;
  int max_attempts = 3;
  std::string webhook_url;
  std::string webhook_secret;
  std::string webhook_events;     // Job::webhook_events
  std::string submit_request_id;  // Job::submit_request_id
  // Idempotency (SPEC §3): same client + key + request_hash within the window returns
  // the earlier job; same key with another hash is a Conflict.
  std::string idempotency_key;  // empty = none
  std::string request_hash;     // hex digest of the canonical request
  // Billing (docs/api.md, "Balance and usage"): the catalog price in nano-units, charged
  // to the client in the same transaction that makes the job done; nullopt = not billed.
  std::optional<std::int64_t> price_nanos;
  Priority priority = Priority::Normal;
  Millis cancel_after{0};       // Job::cancel_after; 0 = none
  Millis execution_timeout{0};  // Job::execution_timeout; 0 = none
  // The client's cap on pending jobs (ClientLimits::max_queued), checked in the submit's
  // own transaction: Exhausted when the client already has this many. 0 = no cap.
  std::int64_t max_queued = 0;
};

struct SubmitOutcome {
  Job job;
  bool created = true;  // false when an idempotent replay returned an earlier job
};

struct ClaimRequest {
  std::string worker_id;
  std::string token_id;  // the worker token claiming: its leases name it (store_rules::new_lease_id)
  std::vector<std::string> models;  // models the worker serves (already intersected with its token)
  int max_jobs = 1;
  Millis lease{30'000};
};

struct Lease {
  Job job;  // status Processing, lease_id and lease_expires_at set
};

// What a worker holds: a job id and the lease id it was given at claim.
struct LeaseRef {
  std::string job_id;
  std::string lease_id;
};

// Which of a client's pending jobs a purge cancels: all, or those of one task and/or model.
struct PurgeRequest {
  std::string client_id;
  std::string task;   // empty = any
  std::string model;  // empty = any
};

struct JobResult {
  std::string result_blob;  // may be empty for text-only results
  std::string result_mime;
  std::optional<std::string> result_text;
};

// A pending job's place in its model's queue (queue positions, FIFO claims).
struct PendingEntry {
  std::string model;
  std::int64_t seq = 0;
};

// One model's queue: how many jobs are pending and when the oldest was submitted.
struct ModelQueue {
  std::string model;
  std::int64_t pending = 0;
  TimePoint oldest_created_at{};
};

// One page of a job list (GET /api/v1/client/jobs, /api/v1/admin/jobs), newest
// (highest seq) first. Jobs come without their preview: a list never carries one.
struct JobListQuery {
  std::string client_id;             // empty = every client's (admin)
  std::vector<JobStatus> statuses;   // empty = any status
  std::string task;                  // empty = any task
  std::int64_t offset = 0;
  std::int64_t limit = 15;
};

struct JobPage {
  std::vector<Job> jobs;
  std::int64_t total = 0;  // jobs matching the query in all
};

// One model's live work (GET /api/v1/admin/queue): pending and leased jobs, and when
// the oldest pending one was submitted (nullopt when none is pending).
struct ModelLoad {
  std::string model;
  std::int64_t pending = 0;
  std::int64_t processing = 0;  // processing and in_progress
  std::optional<TimePoint> oldest_pending_at;
};

// A worker's call as the server records it (docs/operations.md, "Worker presence").
struct WorkerSighting {
  std::string worker_id;
  std::string token_id;
  std::string token_name;
  std::vector<std::string> models;  // what it last asked to claim; empty = unchanged
  TimePoint seen_at{};
};

struct WorkerRecord {
  std::string worker_id;
  std::string token_id;
  std::string token_name;
  std::vector<std::string> models;
  TimePoint last_seen_at{};
  std::vector<std::string> current_jobs;  // ids of jobs whose live lease it holds
};

// Jobs not yet final, by status (finished ones are counted by the metrics' counters).
struct StatusCounts {
  std::int64_t pending = 0, processing = 0, in_progress = 0;
};

// How an asynchronous store call answers: exactly once, after the write is durable
// (or with the error that stopped it), on a thread of the store's choosing (the SQLite
// store's writer thread; a PostgreSQL store's connection thread). It must not block and
// must not wait for another store write: reply, publish, or post further work.
template <class T>
using StoreDone = std::function<void(Result<T>)>;

// Thread-safe; one call, one transaction. Mutations return the job as it is after the
// transition so callers can publish events without reading it again. The transitions
// webhooks report (claim: job.processing; complete, final fail, cancel, exhausted lease:
// job.completed / job.failed) write their delivery into the outbox in that same
// transaction (delivery_store.hpp).
//
// The job transitions are asynchronous: the caller hands over the write and its thread
// goes on; the store batches what is queued into one commit and answers each call from
// that commit (docs/architecture.md, "The write path"). Each has a blocking twin of the
// same name for callers that may wait (sweeps, tests, command-line tools).
class JobStore {
 public:
  virtual ~JobStore() = default;

  // Durable when done is called: the job survives kill -9 from then on.
  virtual void submit(NewJob job, StoreDone<SubmitOutcome> done) = 0;
  Result<SubmitOutcome> submit(const NewJob& job);

  // NotFound if no such job.
  virtual Result<Job> get(const std::string& job_id) = 0;
  // The same read for callers that must not wait (an I/O thread answering a status
  // poll): `done` may run on another thread. A store whose reads wait on a server
  // batches them (PostgresStore); the default reads at once.
  virtual void get(std::string job_id, StoreDone<Job> done) { done(get(job_id)); }

  // Pending jobs of the same model ahead of this one (0 = next); nullopt unless pending.
  // Counts index entries: JobService answers from memory (QueuePositions) instead.
  virtual Result<std::optional<std::int64_t>> queue_position(const Job& job) = 0;

  // Every pending job's model and sequence number, to build QueuePositions.
  virtual Result<std::vector<PendingEntry>> pending_entries() = 0;

  // Leases up to max_jobs pending jobs of the given models; empty if none waits. Order
  // (docs/api.md, "Priorities and fair share"): higher priority first; within one
  // priority, by fair-share round (a client's k-th queued job of a model and priority
  // is in round k, counted from the lowest round still queued) and then submit order,
  // so clients alternate. Jobs of a client already running its max_running are skipped.
  // Each claim increments attempts and sets status Processing with a fresh lease_id.
  virtual void claim(ClaimRequest request, StoreDone<std::vector<Lease>> done) = 0;
  Result<std::vector<Lease>> claim(const ClaimRequest& request);

  // Extends the lease; Conflict("lease lost") if the lease is not current (cancelled,
  // expired and requeued, or final). Gives the new expiry.
  virtual void heartbeat(LeaseRef lease, Millis extend, StoreDone<TimePoint> done) = 0;
  Result<TimePoint> heartbeat(const LeaseRef& lease, Millis extend);

  // Sets progress (and the preview if given), status InProgress, extends the lease.
  virtual void progress(LeaseRef lease, double progress, std::optional<std::string> preview_jpeg, Millis extend,
                        StoreDone<Job> done) = 0;
  Result<Job> progress(const LeaseRef& lease, double progress, std::optional<std::string> preview_jpeg,
                       Millis extend);

  // Final transitions under a lease. Conflict if the lease is not current.
  virtual void complete(LeaseRef lease, JobResult result, StoreDone<Job> done) = 0;
  Result<Job> complete(const LeaseRef& lease, const JobResult& result);
  // Records the file the worker stored for the job under its lease (core/job.hpp,
  // upload_blob): complete makes it the result; cancel and retention remove it. Durable
  // when done is called. Conflict if the lease is not current.
  virtual void record_upload(LeaseRef lease, std::string key, std::string mime, StoreDone<Job> done) = 0;
  Result<Job> record_upload(const LeaseRef& lease, const std::string& key, const std::string& mime);
  // A claim whose answer never reached its worker (it hung up while waiting): back to
  // pending, attempts as before the claim. Conflict if the lease is not current.
  virtual void release(LeaseRef lease, StoreDone<Job> done) = 0;
  Result<Job> release(const LeaseRef& lease);
  // retryable: back to pending if attempts remain, else error. `error_code` is the
  // final job.failed webhook's code: one of deAPI's six (delivery_store.hpp), anything
  // else (empty included) reads PROCESSING_ERROR. `detail` becomes the job's
  // failure_detail (operators only, core/job.hpp).
  virtual void fail(LeaseRef lease, std::string message, bool retryable, std::string error_code, std::string detail,
                    StoreDone<Job> done) = 0;
  Result<Job> fail(const LeaseRef& lease, const std::string& message, bool retryable, std::string_view error_code,
                   std::string_view detail = {});

  // Client cancel: any non-final job -> error "cancelled". NotFound unless the job
  // belongs to client_id; Conflict if already final.
  virtual void cancel(std::string job_id, std::string client_id, StoreDone<Job> done) = 0;
  Result<Job> cancel(const std::string& job_id, const std::string& client_id);

  // Client retry: a job that ended in error goes back to pending with its id, params,
  // inputs and queue place; attempts, error, progress, result, lease and times cleared.
  // NotFound unless it belongs to client_id; Conflict unless it ended in error, or when
  // it was cancelled (store_rules::check_retryable).
  virtual void retry(std::string job_id, std::string client_id, StoreDone<Job> done) = 0;
  Result<Job> retry(const std::string& job_id, const std::string& client_id);
  // Client purge: the client's pending jobs (of the task/model when given) end in error
  // "cancelled", each with its job.failed webhook. Returns them as they are now.
  virtual void purge_pending(PurgeRequest request, StoreDone<std::vector<Job>> done) = 0;
  Result<std::vector<Job>> purge_pending(const PurgeRequest& request);

  // Deadlines passed by `now` (core/job.hpp): pending jobs past their start_deadline
  // end in error EXPIRED, running ones past their run_deadline in error WORKER_TIMEOUT
  // (not retried), each with its job.failed webhook. Returns the jobs as they are now.
  virtual Result<std::vector<Job>> expire_deadlines(TimePoint now) = 0;

  // Leases that expired by `now` go back to pending, or to error once attempts are
  // used up. Returns the jobs as they are after the change.
  virtual Result<std::vector<Job>> requeue_expired(TimePoint now) = 0;

  // Final jobs finished before `before` lose their blob references; returns the blob
  // keys (results, uploads and inputs) the caller should delete, each once.
  virtual Result<std::vector<std::string>> expire_results(TimePoint before) = 0;
  // Deletes up to `limit` jobs finished before `before` that hold no files any more
  // (expire_results took them), with their webhook deliveries; returns how many.
  virtual Result<std::int64_t> delete_finished_jobs(TimePoint before, int limit) = 0;

  virtual Result<StatusCounts> count_by_status() = 0;  // from indexes: O(live jobs)
  // Pending jobs by model, with the oldest one's submit time (queue depth and age on
  // /metrics); models with nothing pending are left out. Reads the claim index, plus
  // one row per model.
  virtual Result<std::vector<ModelQueue>> pending_by_model() = 0;

  // A page of jobs and the total, from one snapshot, answered from indexes
  // (docs/architecture.md, "Job lists").
  virtual Result<JobPage> list_jobs(const JobListQuery& query) = 0;
  // A client's leased jobs and those that ended at or after `ended_since`, newest
  // first, at most `limit`: what a client reconnecting to its channel may have missed
  // (ws/job_events.hpp). Reads the leased and the recently ended jobs of every client
  // (the lease and finished indexes), never all of this client's history.
  virtual Result<std::vector<Job>> jobs_to_replay(const std::string& client_id, TimePoint ended_since, int limit) = 0;
  // Pending and leased jobs by model, models with neither left out, by model name.
  virtual Result<std::vector<ModelLoad>> load_by_model() = 0;

  // Worker presence: upserts each sighting (a newer seen_at wins; empty models keep
  // the stored ones) and forgets workers last seen before `forget_before`.
  virtual Status record_workers(const std::vector<WorkerSighting>& sightings, TimePoint forget_before) = 0;
  // Workers seen since `since`, most recently seen first, each with the jobs whose
  // lease is live at `now`.
  virtual Result<std::vector<WorkerRecord>> list_workers(TimePoint since, TimePoint now) = 0;

  // Waits until every call made so far has been answered (its `done` has returned). At
  // shutdown, once nothing makes new calls: the callbacks use the HTTP sessions and
  // services, which must outlive them.
  virtual void drain() = 0;
};

}  // namespace genq
