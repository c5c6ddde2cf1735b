#include "genq/service/job_service.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "genq/logging/log_context.hpp"
#include "genq/crypto/crypto.hpp"
#include "genq/service/alt_format_keys.hpp"
#include "genq/service/inline_result.hpp"
#include "genq/store/store_rules.hpp"

namespace genq {

void JobService::publish(const Job& job) {
  positions_.on_transition(job);
  if (job.status == JobStatus::Done) throughput_.done(job.model, clock_.now());
  bus_.publish(job);
}

StoreDone<Job> JobService::publishing(StoreDone<Job> done) {
  return [this, done = std::move(done)](Result<Job> job) {
    if (job) publish(*job);
    done(std::move(job));
  };
}

Result<std::optional<std::int64_t>> JobService::queue_position(const Job& job) {
  if (job.status != JobStatus::Pending) return std::optional<std::int64_t>();
  if (auto ahead = positions_.ahead_of(job.model, job.seq)) return std::optional<std::int64_t>(*ahead);
  return store_.queue_position(job);
}

void JobService::on_remote_change(const JobSummary& change) {
  if (change.seq > 0) positions_.on_change(change.model, change.seq, change.status);  // 0: an older node's message
  if (change.status == JobStatus::Done) throughput_.done(change.model, clock_.now());
}

std::optional<double> JobService::estimated_wait_s(const Job& job, std::optional<std::int64_t> queue_position) {
  if (job.status != JobStatus::Pending || !queue_position) return std::nullopt;
  // The jobs ahead, and then this one, each take a slot at the model's rate.
  return throughput_.seconds_for(job.model, *queue_position + 1, clock_.now());
}

Status JobService::load_queue() {
  return positions_.rebuild([this] { return store_.pending_entries(); });
}

void JobService::submit(NewJob job, StoreDone<SubmitOutcome> done) {
  job.max_attempts = options_.max_attempts;
  store_.submit(std::move(job), [this, done = std::move(done)](Result<SubmitOutcome> outcome) {
    if (outcome && outcome->created) {
      metrics_.submitted(outcome->job);
      publish(outcome->job);
    }
    done(std::move(outcome));
  });
}

void JobService::get_for_client(std::string job_id, std::string client_id, StoreDone<Job> done) {
  store_.get(std::move(job_id), [client_id = std::move(client_id), done = std::move(done)](Result<Job> job) {
    if (job && job->client_id != client_id) return done(fail(Error::not_found("no such request")));
    done(std::move(job));
  });
}

void JobService::cancel(std::string job_id, std::string client_id, StoreDone<Job> done) {
  store_.cancel(std::move(job_id), std::move(client_id), publishing([this, done = std::move(done)](Result<Job> job) {
    if (job) {
      metrics_.cancelled(*job);
      // Retention would find these keys again later; removing an absent key is harmless.
      std::vector<std::string> keys;
      store_rules::collect_input_keys(job->inputs_json, keys);
      if (!job->upload_blob.empty()) keys.push_back(job->upload_blob);
      remover_.remove(std::move(keys));
    }
    done(std::move(job));
  }));
}

void JobService::retry(std::string job_id, std::string client_id, StoreDone<Job> done) {
  store_.get(job_id, [this, job_id, client_id = std::move(client_id), done = std::move(done)](Result<Job> before) mutable {
    if (!before || before->client_id != client_id) return done(fail(Error::not_found("no such request")));
    if (Status retryable = store_rules::check_retryable(*before); !retryable) return done(fail(retryable.error()));
    if (before->finished_at && *before->finished_at + options_.result_ttl <= clock_.now()) {
      return done(fail(Error::conflict("The request finished too long ago to be retried: its files were removed. "
                                       "Submit it again.")));
    }
    std::vector<std::string> left_by_run;
    if (!before->upload_blob.empty()) left_by_run.push_back(before->upload_blob);
    if (!before->result_blob.empty()) left_by_run.push_back(before->result_blob);
    add_alt_format_keys(left_by_run);  // the next run's result may have the same key
    store_.retry(std::move(job_id), std::move(client_id),
                 publishing([this, left_by_run = std::move(left_by_run), done = std::move(done)](Result<Job> job) mutable {
                   if (job) remover_.remove(std::move(left_by_run));
                   done(std::move(job));
                 }));
  });
}

void JobService::purge_pending(PurgeRequest request, StoreDone<std::vector<Job>> done) {
  store_.purge_pending(std::move(request), [this, done = std::move(done)](Result<std::vector<Job>>&& jobs) {
    if (!jobs) return done(fail(std::move(jobs.error())));
    std::vector<Job> purged = std::move(*jobs);
    std::vector<std::string> keys;
    for (const Job& job : purged) {
      publish(job);
      store_rules::collect_input_keys(job.inputs_json, keys);
    }
    remover_.remove(std::move(keys));
    done(std::move(purged));
  });
}

void JobService::try_claim(ClaimRequest request, StoreDone<std::vector<Lease>> done) {
  request.lease = options_.lease;
  workers_.claimed(request.worker_id, request.models, clock_.now());
  store_.claim(std::move(request), [this, done = std::move(done)](Result<std::vector<Lease>>&& leases) {
    if (!leases) return done(fail(std::move(leases.error())));
    std::vector<Lease> claimed = std::move(*leases);
    const TimePoint now = clock_.now();
    for (const auto& lease : claimed) {
      metrics_.claimed(lease.job, now);
      publish(lease.job);
    }
    done(std::move(claimed));
  });
}

void JobService::heartbeat(LeaseRef lease, StoreDone<TimePoint> done) {
  store_.heartbeat(std::move(lease), options_.lease, std::move(done));
}

void JobService::progress(LeaseRef lease, double value, std::optional<std::string> preview_jpeg,
                          StoreDone<Job> done) {
  store_.progress(std::move(lease), value, std::move(preview_jpeg), options_.lease,
                  publishing([this, done = std::move(done)](Result<Job> job) {
                    if (job) workers_.reported(job->worker_id, job->model, clock_.now());
                    done(std::move(job));
                  }));
}

namespace {

struct MimeExtension {
  std::string_view mime, ext;
};
constexpr MimeExtension kExtensions[] = {
    {"image/png", "png"},   {"image/jpeg", "jpg"},  {"image/webp", "webp"}, {"image/gif", "gif"},
    {"audio/wav", "wav"},   {"audio/x-wav", "wav"}, {"audio/wave", "wav"},  {"audio/mpeg", "mp3"},
    {"audio/ogg", "ogg"},   {"audio/flac", "flac"}, {"video/mp4", "mp4"},   {"video/webm", "webm"},
    {"text/plain", "txt"},  {"application/json", "json"}, {"application/octet-stream", "bin"},
};

std::string extension_for(std::string_view mime) {
  auto semi = mime.find(';');
  if (semi != std::string_view::npos) mime = mime.substr(0, semi);
  for (const auto& e : kExtensions) {
    if (e.mime == mime) return std::string(e.ext);
  }
  return "bin";
}

}  // namespace

namespace {
bool holds_lease(const Job& job, const LeaseRef& lease) {
  return !is_final(job.status) && !job.lease_id.empty() && crypto::constant_time_equal(job.lease_id, lease.lease_id);
}
}  // namespace

Status JobService::check_lease(const LeaseRef& lease) {
  auto job = store_.get(lease.job_id);
  if (!job) return fail(job.error());
  if (!holds_lease(*job, lease)) return fail(Error::conflict("lease lost"));
  return {};
}

Status JobService::attach_upload(const LeaseRef& lease, const std::filesystem::path& temp_file,
                                 const std::string& mime) {
  auto job = store_.get(lease.job_id);
  if (!job) return fail(job.error());
  if (!holds_lease(*job, lease)) return fail(Error::conflict("lease lost"));
  const std::string key = "results/" + job->id + "/output." + extension_for(mime);
  if (auto stored = blobs_.put_file(key, temp_file); !stored) {
    // The worker can retry; what is wrong with the storage is the operator's to fix
    // (a refused S3 key must not read as a refused worker token).
    spdlog::error("cannot store the result of job {}: {}", job->id, stored.error().message);
    return fail(Error::unavailable("The result file could not be stored; try again."));
  }
  auto recorded = store_.record_upload(lease, key, mime.empty() ? "application/octet-stream" : mime);
  if (!recorded) {
    // Cancelled or expired while the file was being stored: nobody will ask for it.
    // (A cancel that came after the record removes it itself.)
    if (recorded.error().kind == ErrorKind::Conflict) remover_.remove({key});
    return fail(recorded.error());
  }
  // An earlier attempt's upload of another type is no longer the job's.
  if (!job->upload_blob.empty() && job->upload_blob != key) remover_.remove({job->upload_blob});
  return {};
}

void JobService::complete(const Job& current, LeaseRef lease, std::optional<std::string> inline_result,
                          bool inline_is_json, bool file_required, StoreDone<Job> done) {
  const Job* job = &current;
  if (!holds_lease(*job, lease)) return done(fail(Error::conflict("lease lost")));
  JobResult result;
  result.result_text = std::move(inline_result);
  if (!job->upload_blob.empty()) {
    result.result_blob = job->upload_blob;
    result.result_mime = job->upload_mime;
  } else if (file_required) {
    return done(fail(Error::invalid("This task produces a file: upload it with PUT .../result before completing.")));
  } else if (result.result_text) {
    // The text is stored with the job, in the same durable commit; its result_url
    // names a key with no file behind it, and the download route answers it from the
    // job (inline_result_key). Writing a file here cost more than the rest of the
    // completion (a new inode and an fsync per job).
    result.result_mime = inline_is_json ? "application/json" : "text/plain";
    result.result_blob = inline_result_key(job->id, inline_is_json);
  }
  store_.complete(std::move(lease), std::move(result), publishing([this, done = std::move(done)](Result<Job> done_job) {
                    if (done_job) {
                      metrics_.completed(*done_job);
                      workers_.reported(done_job->worker_id, done_job->model, clock_.now());
                    }
                    done(std::move(done_job));
                  }));
}

void JobService::release(LeaseRef lease, StoreDone<Job> done) {
  store_.release(std::move(lease), publishing([this, done = std::move(done)](Result<Job> job) {
                   if (job) metrics_.released(*job);
                   done(std::move(job));
                 }));
}

void JobService::fail_job(LeaseRef lease, std::string message, bool retryable, std::string error_code,
                          std::string detail, StoreDone<Job> done) {
  store_.fail(std::move(lease), std::move(message), retryable, std::move(error_code), std::move(detail),
              publishing([this, done = std::move(done)](Result<Job> job) {
                if (job) {
                  metrics_.failed(*job);
                  workers_.reported(job->worker_id, job->model, clock_.now());
                }
                done(std::move(job));
              }));
}

Result<std::size_t> JobService::requeue_expired() {
  auto jobs = store_.requeue_expired(clock_.now());
  if (!jobs) return fail(jobs.error());
  for (const auto& job : *jobs) {
    const log_context::RequestScope scope(job.submit_request_id);
    spdlog::warn("job {} lease expired (worker {}): now {}", job.id, job.worker_id, to_string(job.status));
    metrics_.lease_expired(job);
    publish(job);
  }
  return jobs->size();
}

Result<std::size_t> JobService::expire_deadlines() {
  auto jobs = store_.expire_deadlines(clock_.now());
  if (!jobs) return fail(jobs.error());
  // Their files stay: such a job may be retried (request-retry), and retention takes
  // them with the job's others.
  for (const auto& job : *jobs) {
    const log_context::RequestScope scope(job.submit_request_id);
    spdlog::warn("job {} ({}): {}", job.id, job.model, job.error);
    metrics_.deadline_passed(job);
    publish(job);
  }
  return jobs->size();
}

Result<std::size_t> JobService::expire_results() {
  // Files go at result_ttl, or with their row when rows are kept for less.
  auto keys = store_.expire_results(clock_.now() - std::min(options_.result_ttl, options_.job_retention));
  if (!keys) return fail(keys.error());
  // With each image result, the copies in other formats downloads may have made.
  std::vector<std::string> removed = *keys;
  add_alt_format_keys(removed);
  for (const auto& key : removed) {
    if (auto s = blobs_.remove(key); !s) spdlog::warn("cannot remove expired blob {}: {}", key, s.error().message);
  }
  return keys->size();
}

Result<std::size_t> JobService::delete_old_jobs() {
  constexpr int kBatch = 500;  // one short transaction each: submits wait behind none for long
  std::size_t total = 0;
  while (true) {
    auto deleted = store_.delete_finished_jobs(clock_.now() - options_.job_retention, kBatch);
    if (!deleted) return fail(deleted.error());
    total += static_cast<std::size_t>(*deleted);
    if (*deleted < kBatch) return total;
  }
}

}  // namespace genq
