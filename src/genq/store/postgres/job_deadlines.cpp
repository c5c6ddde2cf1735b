// The deadline sweep (JobStore::expire_deadlines): jobs that waited past their
// cancel_after, attempts that ran past their execution_timeout. Like the other sweeps,
// safe on every node at once: each batch locks the rows it takes with SKIP LOCKED.
#include <algorithm>

#include "genq/store/delivery_store.hpp"
#include "genq/store/postgres/job_ops.hpp"
#include "genq/store/postgres/job_row.hpp"

namespace genq::postgres {
namespace {

// Reads the changed jobs and queues each one's job.failed with `code`; the status before
// the change is the last column (RETURNING shows only the new row).
Result<std::vector<Job>> record_failures(Connection& connection, const Rows& rows, std::string_view code,
                                         TimePoint now) {
  Result<std::vector<Job>> jobs = read_jobs(rows);
  if (!jobs) {
    return jobs;
  }
  const int previous_column = static_cast<int>(std::count(job_columns().begin(), job_columns().end(), ',')) + 1;
  for (int row = 0; row < rows.size(); ++row) {
    const JobStatus before = parse_job_status(rows.text(row, previous_column)).value_or(JobStatus::Pending);
    if (Status recorded = record_job_event(connection, (*jobs)[static_cast<std::size_t>(row)], before, code, now);
        !recorded) {
      return fail(std::move(recorded.error()));
    }
  }
  return jobs;
}

}  // namespace

Result<std::vector<Job>> expire_deadlines_batch(Connection& connection, TimePoint now, int limit) {
  static const std::string kExpire =
      "WITH due AS ("
      "  SELECT seq, status FROM jobs"
      "  WHERE status = 'pending' AND start_deadline IS NOT NULL AND start_deadline <= $1"
      "  ORDER BY start_deadline LIMIT $2 FOR UPDATE SKIP LOCKED)"
      " UPDATE jobs SET status = 'error', version = version + 1, finished_at = $1::bigint, preview_jpeg = '\\x',"
      "  error = 'expired: no worker started it within cancel_after (' || (cancel_after_ms / 1000) || ' s)',"
      "  run_deadline = NULL"
      " FROM due WHERE jobs.seq = due.seq"
      " RETURNING " +
      job_columns("jobs") + ", due.status";
  // The lease index finds them: a timed-out attempt's lease expired at its run_deadline
  // at the latest (store_rules::capped_lease).
  static const std::string kTimeOut =
      "WITH due AS ("
      "  SELECT seq, status FROM jobs"
      "  WHERE lease_expires_at <= $1 AND status IN ('processing', 'in_progress')"
      "    AND run_deadline IS NOT NULL AND run_deadline <= $1"
      "  ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
      " UPDATE jobs SET status = 'error', version = version + 1, finished_at = $1::bigint, preview_jpeg = '\\x',"
      "  error = 'execution timeout: the attempt ran longer than execution_timeout ('"
      "    || (execution_timeout_ms / 1000) || ' s)',"
      "  lease_id = '', lease_expires_at = NULL"
      " FROM due WHERE jobs.seq = due.seq"
      " RETURNING " +
      job_columns("jobs") + ", due.status";

  Result<Rows> expired_rows = connection.query(kExpire, Params().time(now).int64(limit));
  if (!expired_rows) {
    return fail(std::move(expired_rows.error()));
  }
  Result<std::vector<Job>> changed = record_failures(connection, *expired_rows, kErrorExpired, now);
  if (!changed || static_cast<int>(changed->size()) >= limit) {
    return changed;  // a full batch: the caller runs another
  }
  const int left = limit - static_cast<int>(changed->size());
  Result<Rows> timed_out_rows = connection.query(kTimeOut, Params().time(now).int64(left));
  if (!timed_out_rows) {
    return fail(std::move(timed_out_rows.error()));
  }
  Result<std::vector<Job>> timed_out = record_failures(connection, *timed_out_rows, kErrorWorkerTimeout, now);
  if (!timed_out) {
    return timed_out;
  }
  changed->insert(changed->end(), std::make_move_iterator(timed_out->begin()),
                  std::make_move_iterator(timed_out->end()));
  return changed;
}

}  // namespace genq::postgres
