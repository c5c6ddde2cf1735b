// Job transitions made under a worker's lease: heartbeat, progress, complete, fail, release.
#include <algorithm>
#include <cmath>

#include "genq/store/delivery_store.hpp"
#include "genq/store/postgres/job_ops.hpp"
#include "genq/store/postgres/job_row.hpp"

namespace genq::postgres {
namespace {

// Every lease-checked UPDATE repeats the lease check in its WHERE, so it changes
// nothing unless the lease is still current when the row lock is held.
constexpr const char* kLeaseHeld = " WHERE id = $1 AND lease_id = $2 AND status IN ('processing', 'in_progress')";

// The job's status if `lease` is its current lease, with the row locked until the
// transaction ends. A lease stops being current when the job is cancelled, requeued
// after expiry (the next claim brings a new lease_id) or final.
Result<JobStatus> lock_leased(Connection& connection, const LeaseRef& lease) {
  Result<Rows> rows =
      connection.query("SELECT status, lease_id FROM jobs WHERE id = $1 FOR UPDATE", Params().text(lease.job_id));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->empty()) {
    return fail(Error::not_found("job not found"));
  }
  const std::optional<JobStatus> status = parse_job_status(rows->text(0, 0));
  const std::string lease_id = rows->text(0, 1);
  if (!status || is_final(*status) || lease_id.empty() || lease_id != lease.lease_id) {
    return fail(Error::conflict("lease lost"));
  }
  return *status;
}

// Runs a lease-checked UPDATE ... RETURNING job_columns() and reads the job.
Result<Job> update_leased(Connection& connection, const std::string& sql, const Params& params) {
  Result<Rows> rows = connection.query(sql, params);
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->empty()) {
    return fail(Error::conflict("lease lost"));
  }
  return read_job(*rows, 0);
}

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

std::string returning(std::string sql) { return sql + kLeaseHeld + " RETURNING " + job_columns(); }

}  // namespace

Result<TimePoint> heartbeat_lease(Connection& connection, const LeaseRef& lease, TimePoint now, Millis extend) {
  // No version bump: a heartbeat is not published. The lease never outlives the
  // attempt's run_deadline (store_rules::capped_lease).
  static const std::string kSql =
      std::string("UPDATE jobs SET lease_expires_at = LEAST($3::bigint, COALESCE(run_deadline, $3::bigint))") +
      kLeaseHeld + " RETURNING lease_expires_at";
  Result<Rows> rows = connection.query(kSql, Params().text(lease.job_id).text(lease.lease_id).time(now + extend));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->empty()) {
    // Tell a missing job from a lost lease; the common case above costs one statement.
    Result<JobStatus> held = lock_leased(connection, lease);
    if (!held) {
      return fail(std::move(held.error()));
    }
    return fail(Error::conflict("lease lost"));
  }
  return rows->time(0, 0);
}

Result<Job> record_progress(Connection& connection, const LeaseRef& lease, double progress,
                            const std::optional<std::string>& preview_jpeg, TimePoint now, Millis extend) {
  Result<JobStatus> held = lock_leased(connection, lease);
  if (!held) {
    return fail(std::move(held.error()));
  }
  // Two decimals is what the API shows (SPEC §2); rounding here keeps stored and
  // published values identical.
  const double rounded = std::round(std::clamp(progress, 0.0, 100.0) * 100.0) / 100.0;
  static const std::string kSql = returning(
      "UPDATE jobs SET status = 'in_progress', progress = $3, preview_jpeg = COALESCE($4::bytea, preview_jpeg),"
      "  lease_expires_at = LEAST($5::bigint, COALESCE(run_deadline, $5::bigint)), version = version + 1");
  Params params;
  params.text(lease.job_id).text(lease.lease_id).real(rounded);
  if (preview_jpeg) {
    params.bytes(*preview_jpeg);
  } else {
    params.null();
  }
  params.time(now + extend);
  return update_leased(connection, kSql, params);
}

Result<Job> complete_job(Connection& connection, const LeaseRef& lease, const JobResult& result, TimePoint now) {
  Result<JobStatus> held = lock_leased(connection, lease);
  if (!held) {
    return fail(std::move(held.error()));
  }
  static const std::string kSql = returning(
      "UPDATE jobs SET status = 'done', progress = 100, result_blob = $3, result_mime = $4, result_text = $5,"
      "  error = '', finished_at = $6, lease_id = '', lease_expires_at = NULL, preview_jpeg = '\\x',"
      "  version = version + 1");
  Result<Job> done = update_leased(connection, kSql,
                                   Params()
                                       .text(lease.job_id)
                                       .text(lease.lease_id)
                                       .text(result.result_blob)
                                       .text(result.result_mime)
                                       .optional_text(result.result_text)
                                       .time(now));
  // The charge commits with the transition or not at all: a job is never done
  // without its charge, nor charged twice.
  if (done) {
    if (Status charged = charge_done_job(connection, *done, now); !charged) {
      return fail(std::move(charged.error()));
    }
  }
  return with_event(connection, std::move(done), *held, {}, now);
}

Result<Job> record_upload(Connection& connection, const LeaseRef& lease, const std::string& key,
                          const std::string& mime) {
  Result<JobStatus> held = lock_leased(connection, lease);
  if (!held) {
    return fail(std::move(held.error()));
  }
  static const std::string kSql = returning("UPDATE jobs SET upload_blob = $3, upload_mime = $4");
  return update_leased(connection, kSql, Params().text(lease.job_id).text(lease.lease_id).text(key).text(mime));
}

Result<Job> release_job(Connection& connection, const LeaseRef& lease) {
  Result<JobStatus> held = lock_leased(connection, lease);
  if (!held) {
    return fail(std::move(held.error()));
  }
  static const std::string kSql = returning(
      "UPDATE jobs SET status = 'pending', attempts = GREATEST(attempts - 1, 0), lease_id = '',"
      "  lease_expires_at = NULL, progress = NULL, preview_jpeg = '\\x', version = version + 1");
  return update_leased(connection, kSql, Params().text(lease.job_id).text(lease.lease_id));
}

Result<Job> fail_job(Connection& connection, const LeaseRef& lease, const std::string& message, bool retryable,
                     std::string_view error_code, const std::string& detail, TimePoint now) {
  Result<JobStatus> held = lock_leased(connection, lease);
  if (!held) {
    return fail(std::move(held.error()));
  }
  // Retryable with attempts left: back to pending, the message kept as the reason of
  // the last retry. The CASE decides on the locked row, so no read is needed first.
  static const std::string kSql = returning(
      "UPDATE jobs SET"
      "  status = CASE WHEN $3::boolean AND attempts < max_attempts THEN 'pending' ELSE 'error' END,"
      "  finished_at = CASE WHEN $3::boolean AND attempts < max_attempts THEN NULL ELSE $5::bigint END,"
      "  progress = CASE WHEN $3::boolean AND attempts < max_attempts THEN NULL ELSE progress END,"
      "  preview_jpeg = '\\x',"  // a retry starts afresh; a final job keeps no preview
      "  error = $4, lease_id = '', lease_expires_at = NULL, version = version + 1, failure_detail = $6");
  Result<Job> failed = update_leased(connection, kSql,
                                     Params()
                                         .text(lease.job_id)
                                         .text(lease.lease_id)
                                         .boolean(retryable)
                                         .text(message)
                                         .time(now)
                                         .text(detail));
  if (!failed || failed->status == JobStatus::Pending) {
    return failed;  // a retry reports nothing
  }
  const std::string_view code = is_deapi_error_code(error_code) ? error_code : kErrorProcessing;
  return with_event(connection, std::move(failed), *held, code, now);
}

}  // namespace genq::postgres
