// Periodic sweeps over jobs: expired leases, expired results, old idempotency keys.
// Every node may run them at the same moment: each batch locks the rows it takes with
// SKIP LOCKED, so two sweepers split the work instead of doing it twice, and a row
// whose lease a worker is extending right now is left for the next sweep.
#include <algorithm>

#include "genq/store/delivery_store.hpp"
#include "genq/store/postgres/job_ops.hpp"
#include "genq/store/postgres/job_row.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::postgres {

Result<std::vector<Job>> requeue_expired_batch(Connection& connection, TimePoint now, int limit) {
  // One statement: the expired leases (locked), then each goes to error when its
  // attempts are used up, else back to pending. `expired.status` is the status before
  // the update, which job.failed reports as its previous status.
  static const std::string kSql =
      "WITH expired AS ("
      "  SELECT seq, status FROM jobs"
      "  WHERE lease_expires_at <= $1 AND status IN ('processing', 'in_progress')"
      "    AND (run_deadline IS NULL OR run_deadline > $1)"  // a timed-out attempt is job_deadlines.cpp's
      "  ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
      " UPDATE jobs SET"
      "  status = CASE WHEN attempts >= max_attempts THEN 'error' ELSE 'pending' END,"
      "  error = CASE WHEN attempts >= max_attempts"
      "          THEN 'worker lost: lease expired after ' || attempts || ' attempts' ELSE error END,"
      "  finished_at = CASE WHEN attempts >= max_attempts THEN $1::bigint ELSE NULL END,"
      "  progress = CASE WHEN attempts >= max_attempts THEN progress ELSE NULL END,"
      "  preview_jpeg = '\\x',"
      "  lease_id = '', lease_expires_at = NULL, version = version + 1"
      " FROM expired WHERE jobs.seq = expired.seq"
      " RETURNING " +
      job_columns("jobs") + ", expired.status";
  Result<Rows> rows = connection.query(kSql, Params().time(now).int64(limit));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  Result<std::vector<Job>> jobs = read_jobs(*rows);
  if (!jobs) {
    return jobs;
  }
  const int previous_column = static_cast<int>(std::count(job_columns().begin(), job_columns().end(), ',')) + 1;
  for (int row = 0; row < rows->size(); ++row) {
    const Job& job = (*jobs)[static_cast<std::size_t>(row)];
    if (job.status != JobStatus::Error) {
      continue;
    }
    const JobStatus before = parse_job_status(rows->text(row, previous_column)).value_or(JobStatus::Processing);
    if (Status recorded = record_job_event(connection, job, before, kErrorWorkerTimeout, now); !recorded) {
      return fail(std::move(recorded.error()));
    }
  }
  std::sort(jobs->begin(), jobs->end(), [](const Job& a, const Job& b) { return a.seq < b.seq; });
  return jobs;
}

Result<int> expire_results_batch(Connection& connection, TimePoint before, int limit, std::vector<std::string>& keys) {
  // The old values come from the locked subquery: RETURNING shows only the new row.
  static const std::string kSql =
      "WITH old AS ("
      "  SELECT seq, result_blob, inputs_json, upload_blob FROM jobs"
      "  WHERE finished_at IS NOT NULL AND (result_blob <> '' OR inputs_json <> '{}' OR upload_blob <> '')"
      "    AND finished_at < $1"
      "  ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
      " UPDATE jobs SET result_blob = '', inputs_json = '{}', upload_blob = '', result_text = NULL"
      " FROM old WHERE jobs.seq = old.seq"
      " RETURNING old.result_blob, old.inputs_json, old.upload_blob";
  Result<Rows> rows = connection.query(kSql, Params().time(before).int64(limit));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  for (int row = 0; row < rows->size(); ++row) {
    if (std::string result_blob = rows->text(row, 0); !result_blob.empty()) {
      keys.push_back(std::move(result_blob));
    }
    store_rules::collect_input_keys(rows->text(row, 1), keys);
    // A completed job's upload is its result: hand the key out once.
    if (std::string upload = rows->text(row, 2); !upload.empty() && upload != rows->text(row, 0)) {
      keys.push_back(std::move(upload));
    }
  }
  return rows->size();
}

Result<std::int64_t> forget_idempotency_keys(Connection& connection, TimePoint now, int limit) {
  Result<Rows> rows = connection.query(
      "DELETE FROM idempotency_keys WHERE (client_id, key) IN ("
      "  SELECT client_id, key FROM idempotency_keys WHERE created_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)",
      Params().time(now - store_rules::kIdempotencyWindow).int64(limit));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  return rows->affected();
}

Result<std::int64_t> delete_finished_jobs_batch(Connection& connection, TimePoint before, int limit, TimePoint now) {
  // Only rows whose files expire_results_batch already took, oldest first from the
  // jobs_finished index; SKIP LOCKED lets nodes sweep side by side. Attempts go with
  // their deliveries (ON DELETE CASCADE).
  static const std::string kDoomed =
      "WITH doomed AS ("
      "  SELECT seq, id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < $1"
      "    AND result_blob = '' AND inputs_json = '{}' AND upload_blob = ''"
      "  ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED),"
      " deliveries AS (DELETE FROM webhook_deliveries WHERE job_id IN (SELECT id FROM doomed))";
  // A key younger than its window still answers replays: when jobs are kept for less
  // than that window, the keys of the deleted ones go with them.
  const bool keys_may_outlive_jobs = before > now - store_rules::kIdempotencyWindow;
  const std::string sql = kDoomed +
                          (keys_may_outlive_jobs
                               ? ", keys AS (DELETE FROM idempotency_keys WHERE job_id IN (SELECT id FROM doomed))"
                               : "") +
                          " DELETE FROM jobs WHERE seq IN (SELECT seq FROM doomed)";
  Result<Rows> rows = connection.query(sql, Params().time(before).int64(limit));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  return rows->affected();
}

}  // namespace genq::postgres
