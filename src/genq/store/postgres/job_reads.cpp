// Job reads: get, queue position, pending entries, status counts.
#include "genq/store/postgres/job_ops.hpp"
#include "genq/store/postgres/job_row.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::postgres {

Result<std::optional<Job>> find_job(Connection& connection, const std::string& job_id) {
  if (!store_rules::could_name_a_job(job_id)) {
    return std::optional<Job>();
  }
  static const std::string kSql = "SELECT " + job_columns() + " FROM jobs WHERE id = $1";
  Result<Rows> rows = connection.query(kSql, Params().text(job_id));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  return read_optional_job(*rows);
}

Result<std::optional<std::int64_t>> pending_ahead_of(Connection& connection, const std::string& job_id) {
  // One statement, so the status and the count come from the same snapshot; the count
  // walks the partial claim index up to this job.
  Result<Rows> rows = connection.query(
      "SELECT j.status, (SELECT COUNT(*) FROM jobs p WHERE p.status = 'pending' AND p.model = j.model"
      "                  AND p.seq < j.seq)"
      " FROM jobs j WHERE j.id = $1",
      Params().text(job_id));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->empty()) {
    return fail(Error::not_found("job not found"));
  }
  if (rows->text(0, 0) != to_string(JobStatus::Pending)) {
    return std::optional<std::int64_t>();
  }
  return std::optional<std::int64_t>(rows->int64(0, 1));
}

Result<std::vector<PendingEntry>> list_pending_entries(Connection& connection) {
  Result<Rows> rows = connection.query("SELECT model, seq FROM jobs WHERE status = 'pending'");
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  std::vector<PendingEntry> entries;
  entries.reserve(static_cast<std::size_t>(rows->size()));
  for (int row = 0; row < rows->size(); ++row) {
    entries.push_back(PendingEntry{rows->text(row, 0), rows->int64(row, 1)});
  }
  return entries;
}

Result<std::vector<ModelQueue>> list_model_queues(Connection& connection) {
  // The inner query walks the partial claim index (model, seq) WHERE pending; the join
  // reads one row per model, its oldest pending job.
  Result<Rows> rows = connection.query(
      "SELECT q.model, q.pending, j.created_at FROM"
      " (SELECT model, COUNT(*) AS pending, MIN(seq) AS first FROM jobs WHERE status = 'pending' GROUP BY model) q"
      " JOIN jobs j ON j.seq = q.first ORDER BY q.model");
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  std::vector<ModelQueue> queues;
  queues.reserve(static_cast<std::size_t>(rows->size()));
  for (int row = 0; row < rows->size(); ++row) {
    queues.push_back(ModelQueue{rows->text(row, 0), rows->int64(row, 1), rows->time(row, 2)});
  }
  return queues;
}

Result<StatusCounts> count_jobs_by_status(Connection& connection) {
  // Live jobs only, each arm from its partial index: a count of finished rows would
  // read every row ever kept (retention keeps 30 days of them by default).
  Result<Rows> rows = connection.query(
      "SELECT 'pending', COUNT(*) FROM jobs WHERE status = 'pending'"
      " UNION ALL SELECT status, COUNT(*) FROM jobs WHERE lease_expires_at IS NOT NULL GROUP BY status");
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  StatusCounts counts;
  for (int row = 0; row < rows->size(); ++row) {
    const std::int64_t n = rows->int64(row, 1);
    const std::optional<JobStatus> status = parse_job_status(rows->text(row, 0));
    if (!status) {
      continue;  // unknown statuses are reported by get(); a count has nowhere to put them
    }
    switch (*status) {
      case JobStatus::Pending:
        counts.pending += n;
        break;
      case JobStatus::Processing:
        counts.processing += n;
        break;
      case JobStatus::InProgress:
        counts.in_progress += n;
        break;
      case JobStatus::Done:
      case JobStatus::Error:
        break;  // not asked for
    }
  }
  return counts;
}

}  // namespace genq::postgres
