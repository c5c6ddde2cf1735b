// Client-driven writes on finished or waiting jobs: retry one that failed, purge the
// ones still pending (store/job_store.hpp, retry and purge_pending).
#include "genq/store/delivery_store.hpp"
#include "genq/store/sqlite/job_ops.hpp"
#include "genq/store/sqlite/job_row.hpp"
#include "genq/store/sqlite/outbox.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::sqlite {

Result<Job> retry_job(Connection& connection, const std::string& job_id, const std::string& client_id,
                      TimePoint now) {
  Result<std::optional<Job>> found = find_job(connection, job_id);
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
      "UPDATE jobs SET version = version + 1, status = 'pending', progress = NULL, preview_jpeg = x'',"
      "  result_blob = '', result_mime = '', result_text = NULL, error = '', attempts = 0, worker_id = '',"
      "  lease_id = '', lease_expires_at = NULL, started_at = NULL, finished_at = NULL, upload_blob = '',"
      "  upload_mime = '', run_deadline = NULL,"
      "  start_deadline = CASE WHEN cancel_after_ms > 0 THEN ?2 + cancel_after_ms END"
      " WHERE seq = ?1 RETURNING " +
      job_columns();
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_int64(1, (*found)->seq).bind_int64(2, to_unix_ms(now));
  Result<std::optional<Job>> retried = step_job(*statement);
  if (!retried) {
    return fail(std::move(retried.error()));
  }
  if (!*retried) {
    return fail(Error::internal("retried job vanished"));
  }
  return std::move(**retried);
}

Result<std::vector<Job>> purge_pending_jobs(Connection& connection, const PurgeRequest& request, TimePoint now) {
  static const std::string kSql =
      "UPDATE jobs SET version = version + 1, status = 'error', error = 'cancelled', finished_at = ?2"
      " WHERE client_id = ?1 AND status = 'pending' AND (?3 = '' OR task = ?3) AND (?4 = '' OR model = ?4)"
      " RETURNING " +
      job_columns();
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, request.client_id)
      .bind_int64(2, to_unix_ms(now))
      .bind_text(3, request.task)
      .bind_text(4, request.model);
  Result<std::vector<Job>> purged = step_jobs(*statement);
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

}  // namespace genq::sqlite
