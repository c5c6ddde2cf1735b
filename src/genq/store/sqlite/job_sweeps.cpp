// Periodic sweeps over jobs: expired leases and expired results.
#include <algorithm>
#include <map>

#include "genq/store/sqlite/job_ops.hpp"
#include "genq/store/sqlite/job_row.hpp"
#include "genq/store/sqlite/outbox.hpp"
#include "genq/store/delivery_store.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::sqlite {
namespace {

// An attempt past its run_deadline is the deadline sweep's (job_deadlines.cpp), whatever
// runs first: it times out, it is not retried.
constexpr std::string_view kNotTimedOut = "(run_deadline IS NULL OR run_deadline > ?1)";

// The statuses (processing or in_progress) of the jobs the exhausted-lease update is
// about to fail, by id.
Result<std::map<std::string, JobStatus>> exhausted_statuses(Connection& connection, TimePoint now) {
  static const std::string kSql =
      "SELECT id, status FROM jobs"
      " WHERE status IN ('processing', 'in_progress') AND lease_expires_at <= ?1 AND attempts >= max_attempts"
      "   AND " + std::string(kNotTimedOut);
  return statuses_at(connection, kSql, now);
}

}  // namespace

Result<std::vector<Job>> requeue_expired_leases(Connection& connection, TimePoint now) {
  // Both updates walk the (status, lease_expires_at) index over expired leases only.
  static const std::string kExhausted =
      "UPDATE jobs SET version = version + 1, status = 'error',"
      "  error = 'worker lost: lease expired after ' || attempts || ' attempts',"
      "  lease_id = '', lease_expires_at = NULL, finished_at = ?1, preview_jpeg = x''"
      " WHERE status IN ('processing', 'in_progress') AND lease_expires_at <= ?1"
      "   AND attempts >= max_attempts AND " + std::string(kNotTimedOut) +
      " RETURNING " +
      job_columns();
  static const std::string kRetry =
      "UPDATE jobs SET version = version + 1, status = 'pending', lease_id = '', lease_expires_at = NULL,"
      "  progress = NULL, preview_jpeg = x''"
      " WHERE status IN ('processing', 'in_progress') AND lease_expires_at <= ?1"
      "   AND attempts < max_attempts AND " + std::string(kNotTimedOut) +
      " RETURNING " +
      job_columns();
  Result<std::map<std::string, JobStatus>> previous = exhausted_statuses(connection, now);
  if (!previous) {
    return fail(std::move(previous.error()));
  }
  Result<std::vector<Job>> failed = update_jobs_at(connection, kExhausted, now);
  if (!failed) {
    return failed;
  }
  if (Status recorded =
          record_job_events(connection, *failed, *previous, JobStatus::Processing, kErrorWorkerTimeout, now);
      !recorded) {
    return fail(std::move(recorded.error()));
  }
  Result<std::vector<Job>> requeued = update_jobs_at(connection, kRetry, now);
  if (!requeued) {
    return requeued;
  }
  std::vector<Job> changed = std::move(*failed);
  changed.insert(changed.end(), std::make_move_iterator(requeued->begin()),
                 std::make_move_iterator(requeued->end()));
  std::sort(changed.begin(), changed.end(), [](const Job& a, const Job& b) { return a.seq < b.seq; });
  return changed;
}

Result<std::vector<std::string>> expire_job_results(Connection& connection, TimePoint before, TimePoint now) {
  // The WHERE repeats the partial index's condition word for word: sqlite uses a
  // partial index only when the query implies its WHERE clause. No status term:
  // finished_at is set exactly on final jobs, and `status IN (...)` would lure the
  // planner onto jobs_lease, a scan of every finished job.
  Result<Statement> candidates = connection.prepare(
      "SELECT seq, result_blob, inputs_json, upload_blob FROM jobs"
      " WHERE finished_at IS NOT NULL AND (result_blob <> '' OR inputs_json <> '{}' OR upload_blob <> '')"
      "   AND finished_at < ?1");
  if (!candidates) {
    return fail(std::move(candidates.error()));
  }
  candidates->bind_int64(1, to_unix_ms(before));
  std::vector<std::int64_t> seqs;
  std::vector<std::string> keys;
  while (true) {
    Result<bool> row = candidates->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    seqs.push_back(candidates->column_int64(0));
    if (std::string result_blob = candidates->column_text(1); !result_blob.empty()) {
      keys.push_back(std::move(result_blob));
    }
    store_rules::collect_input_keys(candidates->column_text(2), keys);
    // A completed job's upload is its result: hand the key out once.
    if (std::string upload = candidates->column_text(3); !upload.empty() && upload != candidates->column_text(1)) {
      keys.push_back(std::move(upload));
    }
  }

  for (std::int64_t seq : seqs) {
    Result<Statement> clear =
        connection.prepare("UPDATE jobs SET result_blob = '', inputs_json = '{}', upload_blob = '', result_text = NULL"
                           " WHERE seq = ?1");
    if (!clear) {
      return fail(std::move(clear.error()));
    }
    clear->bind_int64(1, seq);
    if (Status cleared = clear->run(); !cleared) {
      return fail(std::move(cleared.error()));
    }
  }

  // Idempotency keys past their window no longer count; this sweep is the one place
  // that runs periodically, so it also keeps that table from growing forever.
  Result<Statement> forget = connection.prepare("DELETE FROM idempotency_keys WHERE created_at <= ?1");
  if (!forget) {
    return fail(std::move(forget.error()));
  }
  forget->bind_int64(1, to_unix_ms(now - kIdempotencyWindow));
  if (Status forgotten = forget->run(); !forgotten) {
    return fail(std::move(forgotten.error()));
  }
  return keys;
}

Result<std::int64_t> delete_finished_jobs(Connection& connection, TimePoint before, int limit, TimePoint now) {
  // Only rows whose files expire_job_results already took: a deleted row must not
  // leave a file nobody knows of. From the jobs_finished index, oldest first.
  Result<Statement> candidates = connection.prepare(
      "SELECT seq, id FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?1"
      "   AND result_blob = '' AND inputs_json = '{}' AND upload_blob = ''"
      " ORDER BY finished_at LIMIT ?2");
  if (!candidates) {
    return fail(std::move(candidates.error()));
  }
  candidates->bind_int64(1, to_unix_ms(before));
  candidates->bind_int64(2, limit);
  std::vector<std::pair<std::int64_t, std::string>> doomed;
  while (true) {
    Result<bool> row = candidates->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    doomed.emplace_back(candidates->column_int64(0), candidates->column_text(1));
  }
  // A key younger than its window still answers replays: when jobs are kept for less
  // than that window, the keys of the deleted ones go with them (no index on job_id:
  // the rare setting pays the scan, not every deployment).
  const bool keys_may_outlive_jobs = before > now - kIdempotencyWindow;
  std::vector<std::string> statements = {
      "DELETE FROM webhook_attempts WHERE delivery_seq IN"
      " (SELECT seq FROM webhook_deliveries WHERE job_id = ?2)",
      "DELETE FROM webhook_deliveries WHERE job_id = ?2",
      "DELETE FROM jobs WHERE seq = ?1 AND id = ?2",
  };
  if (keys_may_outlive_jobs) statements.push_back("DELETE FROM idempotency_keys WHERE job_id = ?2");
  for (const auto& [seq, id] : doomed) {
    for (const std::string& sql : statements) {
      Result<Statement> statement = connection.prepare(sql);  // cached by the connection
      if (!statement) {
        return fail(std::move(statement.error()));
      }
      // ?2 alone leaves ?1 unused but bindable (the parameter count is the highest index).
      statement->bind_int64(1, seq).bind_text(2, id);
      if (Status ran = statement->run(); !ran) {
        return fail(std::move(ran.error()));
      }
    }
  }
  return static_cast<std::int64_t>(doomed.size());
}

}  // namespace genq::sqlite
