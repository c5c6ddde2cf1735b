#pragma once
// The job use cases (submit, read, cancel, and the worker's claim/progress/complete/
// fail) on top of the JobStore, publishing every change on the EventBus so that
// long-polls, WebSockets and webhooks hear of it. Thread-safe. The transitions are
// asynchronous like the store's (job_store.hpp): `done` is called once the change is
// durable and published, on the store's thread, and must not block.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "genq/blob/blob_store.hpp"
#include "genq/bus/event_bus.hpp"
#include "genq/service/blob_remover.hpp"
#include "genq/core/clock.hpp"
#include "genq/metrics/job_metrics.hpp"
#include "genq/service/queue_positions.hpp"
#include "genq/service/model_throughput.hpp"
#include "genq/service/worker_presence.hpp"
#include "genq/service/worker_sightings.hpp"
#include "genq/store/job_store.hpp"

namespace genq {

struct ServiceOptions {
  Millis lease{30'000};
  int max_attempts = 3;
  std::chrono::seconds url_ttl{3600};
  std::size_t max_preview_bytes = 256 * 1024;
  std::chrono::seconds result_ttl{7 * 24 * 3600};
  std::chrono::seconds job_retention{30 * 24 * 3600};  // finished rows are deleted after it
};

class JobService {
 public:
  JobService(JobStore& store, BlobStore& blobs, EventBus& bus, const Clock& clock, ServiceOptions options)
      : sightings_(store), store_(store), blobs_(blobs), bus_(bus), clock_(clock), options_(options), remover_(blobs) {}

  void submit(NewJob job, StoreDone<SubmitOutcome> done);
  // NotFound unless the job exists and belongs to client_id (SPEC §1: never a hint).
  // Never waits: `done` may run on a store thread (status polls, JobStore::get).
  void get_for_client(std::string job_id, std::string client_id, StoreDone<Job> done);
  Result<Job> get(const std::string& job_id) { return store_.get(job_id); }
  // The same read without waiting (JobStore::get with a callback).
  void get(std::string job_id, StoreDone<Job> done) { store_.get(std::move(job_id), std::move(done)); }
  // Pending jobs of the job's model ahead of it; nullopt unless it is pending. From
  // memory once load_queue() ran, else counted by the store.
  Result<std::optional<std::int64_t>> queue_position(const Job& job);
  // (Re)builds the in-memory queue positions from the store: at start, then now and
  // then to repair drift (queue_positions.hpp).
  Status load_queue();
  // A change another node announced (EventBus summaries): keeps this node's queue
  // positions true for jobs submitted or claimed elsewhere.
  void on_remote_change(const JobSummary& change);
  // Once cancelled, the job's files (inputs, a result uploaded before the cancel) are
  // removed in the background (BlobRemover).
  void cancel(std::string job_id, std::string client_id, StoreDone<Job> done);
  // Client retry (JobStore::retry): also Conflict once retention may have removed the
  // job's input files (finished more than result_ttl ago). Files the failed run left
  // (an uploaded result) are removed in the background.
  void retry(std::string job_id, std::string client_id, StoreDone<Job> done);
  // Client purge (JobStore::purge_pending); the purged jobs' input files are removed
  // in the background, as a cancel's.
  void purge_pending(PurgeRequest request, StoreDone<std::vector<Job>> done);

  void try_claim(ClaimRequest request, StoreDone<std::vector<Lease>> done);
  void heartbeat(LeaseRef lease, StoreDone<TimePoint> done);
  void progress(LeaseRef lease, double progress, std::optional<std::string> preview_jpeg, StoreDone<Job> done);
  // Whether `lease` is the job's current lease: NotFound without the job,
  // Conflict("lease lost") when the lease is not current. Lease ids are compared in
  // constant time. Reads only: the upload route asks before it reads a byte.
  Status check_lease(const LeaseRef& lease);
  // Worker upload: checks the lease, stores the streamed file (local disk or S3) as the
  // job's result file and records its key in the job (record_upload), so whichever node
  // completes, cancels or expires the job knows it. Blocks (network, durable write):
  // call it off the I/O threads. Conflict("lease lost") if the lease is not current.
  Status attach_upload(const LeaseRef& lease, const std::filesystem::path& temp_file, const std::string& mime);
  // Finishes the job as done. Uses the attached upload; for text tasks without one,
  // stores `inline_result` as results/<id>/result.txt (or .json) so a result_url
  // always exists. Invalid when `file_required` and nothing was uploaded. `current` is
  // the job as the caller read it (the route needs its task first).
  void complete(const Job& current, LeaseRef lease, std::optional<std::string> inline_result, bool inline_is_json,
                bool file_required, StoreDone<Job> done);
  // `detail`: the worker's note for operators (a tool's stderr), kept in the job's
  // failure_detail and shown by the admin API only.
  void fail_job(LeaseRef lease, std::string message, bool retryable, std::string error_code, std::string detail,
                StoreDone<Job> done);
  // Gives back a lease whose claim answer could not be delivered (JobStore::release).
  void release(LeaseRef lease, StoreDone<Job> done);

  // Housekeeping, called by timers: returns how many jobs/blobs were affected.
  Result<std::size_t> requeue_expired();
  // Ends the jobs past a deadline (JobStore::expire_deadlines); before requeue_expired.
  Result<std::size_t> expire_deadlines();
  Result<std::size_t> expire_results();
  // Deletes finished jobs past job_retention (their files went first, in expire_results).
  Result<std::size_t> delete_old_jobs();

  Result<StatusCounts> counts() { return store_.count_by_status(); }
  // Pending jobs and the oldest one's submit time, by model (/metrics).
  Result<std::vector<ModelQueue>> queues() { return store_.pending_by_model(); }
  // Counts and latencies of the transitions this node made, by model (/metrics).
  JobMetrics& metrics() { return metrics_; }
  // Workers that claimed or reported lately, by model (/metrics).
  WorkerPresence& workers() { return workers_; }
  // Jobs done lately by model, on every node (queue ETAs).
  ModelThroughput& throughput() { return throughput_; }
  // Seconds until a pending job is claimed at its model's recent rate; nullopt unless
  // it is pending and the rate is known.
  std::optional<double> estimated_wait_s(const Job& job, std::optional<std::int64_t> queue_position);
  // Worker presence across nodes, recorded in the store (GET /api/v1/admin/workers).
  WorkerSightings& sightings() { return sightings_; }
  JobStore& store() { return store_; }
  const ServiceOptions& options() const { return options_; }
  const Clock& clock() const { return clock_; }
  BlobStore& blobs() { return blobs_; }
  // Deletes blobs in the background: for callbacks on the store's thread, which must
  // not wait for S3.
  void remove_later(std::vector<std::string> keys) { remover_.remove(std::move(keys)); }
  // Waits until the files of cancelled jobs are gone (tests).
  void flush_removals() { remover_.flush(); }

 private:
  // Publishes the job a transition returned, then hands it on.
  StoreDone<Job> publishing(StoreDone<Job> done);
  void publish(const Job& job);

  QueuePositions positions_;
  JobMetrics metrics_;
  WorkerPresence workers_;
  ModelThroughput throughput_;
  WorkerSightings sightings_;
  JobStore& store_;
  BlobStore& blobs_;
  EventBus& bus_;
  const Clock& clock_;
  ServiceOptions options_;
  BlobRemover remover_;
};

}  // namespace genq
