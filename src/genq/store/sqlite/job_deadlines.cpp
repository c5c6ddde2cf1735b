// The deadline sweep (JobStore::expire_deadlines): jobs that waited past their
// cancel_after, attempts that ran past their execution_timeout.
#include <map>

#include "genq/store/delivery_store.hpp"
#include "genq/store/sqlite/job_ops.hpp"
#include "genq/store/sqlite/job_row.hpp"
#include "genq/store/sqlite/outbox.hpp"

namespace genq::sqlite {
namespace {

// Walks the lease index: a timed-out attempt's lease expired at its run_deadline at the
// latest (store_rules::capped_lease).
constexpr const char* kTimedOut =
    " WHERE status IN ('processing', 'in_progress') AND lease_expires_at <= ?1"
    "   AND run_deadline IS NOT NULL AND run_deadline <= ?1";

}  // namespace

Result<std::vector<Job>> expire_job_deadlines(Connection& connection, TimePoint now) {
  // Named, and its condition repeated word for word: on its own the planner walked every
  // pending job (jobs_status) once a second.
  static const std::string kExpire =
      "UPDATE jobs INDEXED BY jobs_start_deadline SET version = version + 1, status = 'error',"
      "  error = 'expired: no worker started it within cancel_after (' || (cancel_after_ms / 1000) || ' s)',"
      "  finished_at = ?1, preview_jpeg = x'', run_deadline = NULL"
      " WHERE status = 'pending' AND start_deadline IS NOT NULL AND start_deadline <= ?1"
      " RETURNING " +
      job_columns();
  static const std::string kTimeOut =
      "UPDATE jobs SET version = version + 1, status = 'error',"
      "  error = 'execution timeout: the attempt ran longer than execution_timeout ('"
      "    || (execution_timeout_ms / 1000) || ' s)',"
      "  lease_id = '', lease_expires_at = NULL, finished_at = ?1, preview_jpeg = x''" +
      std::string(kTimedOut) + " RETURNING " + job_columns();
  static const std::string kTimedOutStatuses = std::string("SELECT id, status FROM jobs") + kTimedOut;

  Result<std::vector<Job>> expired = update_jobs_at(connection, kExpire, now);
  if (!expired) {
    return expired;
  }
  if (Status recorded = record_job_events(connection, *expired, {}, JobStatus::Pending, kErrorExpired, now);
      !recorded) {
    return fail(std::move(recorded.error()));
  }
  Result<std::map<std::string, JobStatus>> previous = statuses_at(connection, kTimedOutStatuses, now);
  if (!previous) {
    return fail(std::move(previous.error()));
  }
  Result<std::vector<Job>> timed_out = update_jobs_at(connection, kTimeOut, now);
  if (!timed_out) {
    return timed_out;
  }
  if (Status recorded =
          record_job_events(connection, *timed_out, *previous, JobStatus::Processing, kErrorWorkerTimeout, now);
      !recorded) {
    return fail(std::move(recorded.error()));
  }
  std::vector<Job> changed = std::move(*expired);
  changed.insert(changed.end(), std::make_move_iterator(timed_out->begin()),
                 std::make_move_iterator(timed_out->end()));
  return changed;
}

}  // namespace genq::sqlite
