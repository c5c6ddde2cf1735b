// Job reads: get, queue position, status counts.
#include "genq/store/sqlite/job_ops.hpp"
#include "genq/store/sqlite/job_row.hpp"

namespace genq::sqlite {

Result<std::optional<Job>> find_job(Connection& connection, const std::string& job_id) {
  static const std::string kSql = "SELECT " + job_columns() + " FROM jobs WHERE id = ?1";
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, job_id);
  return step_job(*statement);
}

Result<std::optional<std::int64_t>> pending_ahead_of(Connection& connection, const std::string& job_id) {
  // One statement, so the status and the count come from the same snapshot. The count
  // walks the (status, model, seq) index up to this job: cost grows with the answer.
  static const std::string kSql =
      "SELECT j.status, (SELECT COUNT(*) FROM jobs p"
      "                  WHERE p.status = 'pending' AND p.model = j.model AND p.seq < j.seq)"
      " FROM jobs j WHERE j.id = ?1";
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, job_id);
  Result<bool> row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return fail(Error::not_found("job not found"));
  }
  if (statement->column_text(0) != to_string(JobStatus::Pending)) {
    return std::optional<std::int64_t>();
  }
  return std::optional<std::int64_t>(statement->column_int64(1));
}

Result<std::vector<PendingEntry>> list_pending_entries(Connection& connection) {
  // The claim index (status, model, seq) covers this: no table rows are read.
  Result<Statement> statement = connection.prepare("SELECT model, seq FROM jobs WHERE status = 'pending'");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  std::vector<PendingEntry> entries;
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return entries;
    }
    entries.push_back(PendingEntry{statement->column_text(0), statement->column_int64(1)});
  }
}

Result<std::vector<ModelQueue>> list_model_queues(Connection& connection) {
  // The inner query is covered by the claim index (status, model, seq); the join reads
  // one row per model, its oldest pending job (seq is the rowid and submit order).
  Result<Statement> statement = connection.prepare(
      "SELECT q.model, q.pending, j.created_at FROM"
      " (SELECT model, COUNT(*) AS pending, MIN(seq) AS first FROM jobs WHERE status = 'pending' GROUP BY model) q"
      " JOIN jobs j ON j.seq = q.first ORDER BY q.model");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  std::vector<ModelQueue> queues;
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return queues;
    }
    queues.push_back(ModelQueue{statement->column_text(0), statement->column_int64(1),
                                from_unix_ms(statement->column_int64(2))});
  }
}

Result<StatusCounts> count_jobs_by_status(Connection& connection) {
  // Live jobs only, from the jobs_claim index (status first): a count of finished rows
  // would read every row ever kept (retention keeps 30 days of them by default).
  Result<Statement> statement = connection.prepare(
      "SELECT status, COUNT(*) FROM jobs WHERE status IN ('pending', 'processing', 'in_progress') GROUP BY status");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  StatusCounts counts;
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return counts;
    }
    const std::int64_t n = statement->column_int64(1);
    std::optional<JobStatus> status = parse_job_status(statement->column_text(0));
    if (!status) {
      continue;  // unknown statuses are reported by get(); a count has nowhere to put them
    }
    switch (*status) {
      case JobStatus::Pending:
        counts.pending = n;
        break;
      case JobStatus::Processing:
        counts.processing = n;
        break;
      case JobStatus::InProgress:
        counts.in_progress = n;
        break;
      case JobStatus::Done:
      case JobStatus::Error:
        break;  // not asked for
    }
  }
}

}  // namespace genq::sqlite
