// Job transitions made under a worker's lease: heartbeat, progress, complete, fail.
#include <algorithm>
#include <cmath>

#include "genq/store/sqlite/job_ops.hpp"
#include "genq/store/sqlite/job_row.hpp"
#include "genq/store/sqlite/ledger_ops.hpp"
#include "genq/store/sqlite/outbox.hpp"
#include "genq/store/delivery_store.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::sqlite {
namespace {

// The job if `lease` is its current lease. A lease stops being current when the job
// is cancelled, requeued after expiry (the next claim brings a new lease_id) or final.
Result<Job> leased_job(Connection& connection, const LeaseRef& lease) {
  Result<std::optional<Job>> found = find_job(connection, lease.job_id);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (!*found) {
    return fail(Error::not_found("job not found"));
  }
  const Job& job = **found;
  if (is_final(job.status) || job.lease_id.empty() || job.lease_id != lease.lease_id) {
    return fail(Error::conflict("lease lost"));
  }
  return std::move(**found);
}

// Runs an UPDATE ... WHERE seq = ?1 RETURNING job_columns() whose other parameters
// `bind` fills, and returns the job after it.
template <class Bind>
Result<Job> update_job(Connection& connection, const std::string& sql, std::int64_t seq, Bind&& bind) {
  Result<Statement> statement = connection.prepare(sql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_int64(1, seq);
  bind(*statement);
  Result<std::optional<Job>> updated = step_job(*statement);
  if (!updated) {
    return fail(std::move(updated.error()));
  }
  if (!*updated) {
    return fail(Error::internal("job seq " + std::to_string(seq) + " vanished during update"));
  }
  return std::move(**updated);
}

// Queues the webhook of a final transition in its own transaction (outbox.hpp).
Result<Job> with_event(Connection& connection, Result<Job> job, JobStatus previous, std::string_view error_code,
                       TimePoint now) {
  if (!job) {
    return job;
  }
  if (Status recorded = record_job_event(connection, *job, previous, error_code, now); !recorded) {
    return fail(std::move(recorded.error()));
  }
  return job;
}

}  // namespace

Result<TimePoint> heartbeat_lease(Connection& connection, const LeaseRef& lease, TimePoint now,
                                  Millis extend) {
  Result<Job> job = leased_job(connection, lease);
  if (!job) {
    return fail(std::move(job.error()));
  }
  const TimePoint expires = store_rules::capped_lease(now + extend, job->run_deadline);
  Result<Statement> statement = connection.prepare("UPDATE jobs SET lease_expires_at = ?2 WHERE seq = ?1");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_int64(1, job->seq).bind_int64(2, to_unix_ms(expires));
  if (Status updated = statement->run(); !updated) {
    return fail(std::move(updated.error()));
  }
  return expires;
}

Result<Job> record_progress(Connection& connection, const LeaseRef& lease, double progress,
                            const std::optional<std::string>& preview_jpeg, TimePoint now, Millis extend) {
  Result<Job> job = leased_job(connection, lease);
  if (!job) {
    return fail(std::move(job.error()));
  }
  // Two decimals is what the API shows (SPEC §2); rounding here keeps stored and
  // published values identical.
  const double clamped = std::clamp(progress, 0.0, 100.0);
  const double rounded = std::round(clamped * 100.0) / 100.0;
  static const std::string kSql =
      "UPDATE jobs SET version = version + 1, status = 'in_progress', progress = ?2,"
      "  preview_jpeg = COALESCE(?3, preview_jpeg), lease_expires_at = ?4"
      " WHERE seq = ?1 RETURNING " +
      job_columns();
  return update_job(connection, kSql, job->seq, [&](Statement& statement) {
    statement.bind_double(2, rounded).bind_int64(4, to_unix_ms(store_rules::capped_lease(now + extend, job->run_deadline)));
    if (preview_jpeg) {
      statement.bind_blob(3, *preview_jpeg);
    } else {
      statement.bind_null(3);
    }
  });
}

Result<Job> complete_job(Connection& connection, const LeaseRef& lease, const JobResult& result,
                         TimePoint now) {
  Result<Job> job = leased_job(connection, lease);
  if (!job) {
    return fail(std::move(job.error()));
  }
  static const std::string kSql =
      "UPDATE jobs SET version = version + 1, status = 'done', progress = 100, result_blob = ?2, result_mime = ?3,"
      "  result_text = ?4, error = '', finished_at = ?5, lease_id = '', lease_expires_at = NULL, preview_jpeg = x''"
      " WHERE seq = ?1 RETURNING " +
      job_columns();
  Result<Job> done = update_job(connection, kSql, job->seq, [&](Statement& statement) {
    statement.bind_text(2, result.result_blob)
        .bind_text(3, result.result_mime)
        .bind_optional_text(4, result.result_text)
        .bind_int64(5, to_unix_ms(now));
  });
  // The charge commits with the transition or not at all: a job is never done
  // uncharged nor charged without being done.
  if (done) {
    if (Status charged = charge_done_job(connection, *done, now); !charged) {
      return fail(std::move(charged.error()));
    }
  }
  return with_event(connection, std::move(done), job->status, {}, now);
}

Result<Job> record_upload(Connection& connection, const LeaseRef& lease, const std::string& key,
                          const std::string& mime) {
  Result<Job> job = leased_job(connection, lease);
  if (!job) {
    return fail(std::move(job.error()));
  }
  static const std::string kSql =
      "UPDATE jobs SET upload_blob = ?2, upload_mime = ?3 WHERE seq = ?1 RETURNING " + job_columns();
  return update_job(connection, kSql, job->seq,
                    [&](Statement& statement) { statement.bind_text(2, key).bind_text(3, mime); });
}

Result<Job> release_job(Connection& connection, const LeaseRef& lease) {
  Result<Job> job = leased_job(connection, lease);
  if (!job) {
    return fail(std::move(job.error()));
  }
  static const std::string kSql =
      "UPDATE jobs SET version = version + 1, status = 'pending', attempts = MAX(attempts - 1, 0), lease_id = '',"
      "  lease_expires_at = NULL, progress = NULL, preview_jpeg = x''"
      " WHERE seq = ?1 RETURNING " +
      job_columns();
  return update_job(connection, kSql, job->seq, [](Statement&) {});
}

Result<Job> fail_job(Connection& connection, const LeaseRef& lease, const std::string& message,
                     bool retryable, std::string_view error_code, const std::string& detail, TimePoint now) {
  Result<Job> job = leased_job(connection, lease);
  if (!job) {
    return fail(std::move(job.error()));
  }
  if (retryable && job->attempts < job->max_attempts) {
    // The message stays in `error` as the reason of the last retry; the status says
    // the job is waiting again.
    static const std::string kRetry =
        "UPDATE jobs SET version = version + 1, status = 'pending', error = ?2, lease_id = '', lease_expires_at = NULL,"
        "  progress = NULL, preview_jpeg = x'', failure_detail = ?3"
        " WHERE seq = ?1 RETURNING " +
        job_columns();
    return update_job(connection, kRetry, job->seq,
                      [&](Statement& statement) { statement.bind_text(2, message).bind_text(3, detail); });
  }
  static const std::string kFinal =
      "UPDATE jobs SET version = version + 1, status = 'error', error = ?2, lease_id = '', lease_expires_at = NULL,"
      "  finished_at = ?3, preview_jpeg = x'', failure_detail = ?4"
      " WHERE seq = ?1 RETURNING " +
      job_columns();
  Result<Job> failed = update_job(connection, kFinal, job->seq, [&](Statement& statement) {
    statement.bind_text(2, message).bind_int64(3, to_unix_ms(now)).bind_text(4, detail);
  });
  const std::string_view code = is_deapi_error_code(error_code) ? error_code : kErrorProcessing;
  return with_event(connection, std::move(failed), job->status, code, now);
}

}  // namespace genq::sqlite
