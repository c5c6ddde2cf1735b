// Client-driven writes on finished or waiting jobs: retry one that failed, purge the
// ones still pending (store/job_store.hpp, retry and purge_pending).
#include "genq/store/delivery_store.hpp"
#include "genq/store/postgres/job_ops.hpp"
#include "genq/store/postgres/job_row.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::postgres {

Result<Job> retry_job(Connection& connection, const std::string& job_id, const std::string& client_id,
                      TimePoint now) {
  static const std::string kLock = "SELECT " + job_columns() + " FROM jobs WHERE id = $1 FOR UPDATE";
  Result<Rows> locked = connection.query(kLock, Params().text(job_id));
  if (!locked) {
    return fail(std::move(locked.error()));
  }
  Result<std::optional<Job>> found = read_optional_job(*locked);
  if (!found) {
    return fail(std::move(found.error()));
  }
  if (!*found || (*found)->client_id != client_id) {
    return fail(Error::not_found("job not found"));
  }
  if (Status retryable = store_rules::check_retryable(**found); !retryable) {
    return fail(std::move(retryable.error()));
  }
  // Everything a run leaves is cleared; id, params, inputs and place in the queue stay.
  // cancel_after counts again from the retry.
  static const std::string kSql =
      "UPDATE jobs SET version = version + 1, status = 'pending', progress = NULL, preview_jpeg = ''::bytea,"
      "  result_blob = '', result_mime = '', result_text = NULL, error = '', attempts = 0, worker_id = '',"
      "  lease_id = '', lease_expires_at = NULL, started_at = NULL, finished_at = NULL, upload_blob = '',"
      "  upload_mime = '', run_deadline = NULL,"
      "  start_deadline = CASE WHEN cancel_after_ms > 0 THEN $2::bigint + cancel_after_ms END"
      " WHERE id = $1 RETURNING " +
      job_columns();
  Result<Rows> rows = connection.query(kSql, Params().text(job_id).time(now));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->empty()) {
    return fail(Error::internal("retried job vanished"));
  }
  return read_job(*rows, 0);
}

Result<std::vector<Job>> purge_pending_jobs(Connection& connection, const PurgeRequest& request, TimePoint now) {
  // SKIP LOCKED: a job a node is claiming right now is that claim's, not the purge's.
  static const std::string kSql =
      "UPDATE jobs SET version = version + 1, status = 'error', error = 'cancelled', finished_at = $2"
      " WHERE id IN (SELECT id FROM jobs WHERE client_id = $1 AND status = 'pending'"
      "              AND ($3 = '' OR task = $3) AND ($4 = '' OR model = $4) FOR UPDATE SKIP LOCKED)"
      " RETURNING " +
      job_columns();
  Result<Rows> rows = connection.query(
      kSql, Params().text(request.client_id).time(now).text(request.task).text(request.model));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  Result<std::vector<Job>> purged = read_jobs(*rows);
  if (!purged) {
    return purged;
  }
  for (const Job& job : *purged) {
    if (Status recorded = record_job_event(connection, job, JobStatus::Pending, kErrorCancelled, now); !recorded) {
      return fail(std::move(recorded.error()));
    }
  }
  return purged;
}

}  // namespace genq::postgres
