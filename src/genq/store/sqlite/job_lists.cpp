// Job lists and the live queue by model (GET /api/v1/client/jobs, /api/v1/admin/jobs,
// /api/v1/admin/queue). Each filter the lists offer has an index ending in seq (schema
// version 8), so a page is read newest first from it and the total counted from it.
#include "genq/store/sqlite/job_ops.hpp"
#include "genq/store/sqlite/job_row.hpp"

namespace genq::sqlite {
namespace {

// " WHERE ..." for the query's filters, binding ?1.. in the order bind_filters uses.
std::string where_clause(const JobListQuery& query) {
  std::string where;
  int next = 1;
  auto add = [&](const std::string& condition) { where += (where.empty() ? " WHERE " : " AND ") + condition; };
  if (!query.client_id.empty()) add("client_id = ?" + std::to_string(next++));
  if (!query.statuses.empty()) {
    std::string in = "status IN (";
    for (std::size_t i = 0; i < query.statuses.size(); ++i) in += (i ? ", ?" : "?") + std::to_string(next++);
    add(in + ")");
  }
  if (!query.task.empty()) add("task = ?" + std::to_string(next++));
  return where;
}

int bind_filters(Statement& statement, const JobListQuery& query) {
  int next = 1;
  if (!query.client_id.empty()) statement.bind_text(next++, query.client_id);
  for (JobStatus status : query.statuses) statement.bind_text(next++, to_string(status));
  if (!query.task.empty()) statement.bind_text(next++, query.task);
  return next;
}

}  // namespace

Result<JobPage> list_jobs(Connection& connection, const JobListQuery& query) {
  const std::string where = where_clause(query);
  JobPage page;
  Result<Statement> count = connection.prepare("SELECT COUNT(*) FROM jobs" + where);
  if (!count) {
    return fail(std::move(count.error()));
  }
  bind_filters(*count, query);
  Result<bool> counted = count->step();
  if (!counted) {
    return fail(std::move(counted.error()));
  }
  // `count` stays open (not reset) until we return: the page is read in the same
  // read transaction, so it agrees with the total.
  page.total = *counted ? count->column_int64(0) : 0;
  if (page.total <= query.offset) {
    return page;
  }

  const int next = static_cast<int>(query.statuses.size()) + (query.client_id.empty() ? 1 : 2) +
                   (query.task.empty() ? 0 : 1);
  Result<Statement> statement =
      connection.prepare("SELECT " + listed_job_columns() + " FROM jobs" + where + " ORDER BY seq DESC LIMIT ?" +
                         std::to_string(next) + " OFFSET ?" + std::to_string(next + 1));
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  bind_filters(*statement, query);
  statement->bind_int64(next, query.limit).bind_int64(next + 1, query.offset);
  Result<std::vector<Job>> jobs = step_jobs(*statement);
  if (!jobs) {
    return fail(std::move(jobs.error()));
  }
  page.jobs = std::move(*jobs);
  return page;
}

Result<std::vector<Job>> list_jobs_to_replay(Connection& connection, const std::string& client_id, TimePoint ended_since,
                                             int limit) {
  // `+client_id` keeps the planner off jobs_client (all of the client's history): the
  // leased jobs come from jobs_lease, the recently ended ones from jobs_finished.
  static const std::string kSql = "SELECT " + listed_job_columns() +
                                  " FROM jobs WHERE lease_expires_at IS NOT NULL"
                                  "   AND status IN ('processing', 'in_progress') AND +client_id = ?1"
                                  " UNION ALL SELECT " + listed_job_columns() +
                                  " FROM jobs WHERE finished_at >= ?2 AND +client_id = ?1"
                                  " ORDER BY seq DESC LIMIT ?3";
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, client_id).bind_int64(2, to_unix_ms(ended_since)).bind_int64(3, limit);
  return step_jobs(*statement);
}

Result<std::vector<ModelLoad>> list_model_loads(Connection& connection) {
  // The inner query is covered by the claim index (status, model, seq) over live jobs
  // only; the join reads one row per model with pending work, its oldest pending job.
  Result<Statement> statement = connection.prepare(
      "SELECT q.model, q.pending, q.processing, j.created_at FROM"
      " (SELECT model, SUM(status = 'pending') AS pending, SUM(status <> 'pending') AS processing,"
      "         MIN(CASE WHEN status = 'pending' THEN seq END) AS first"
      "  FROM jobs WHERE status IN ('pending', 'processing', 'in_progress') GROUP BY model) q"
      " LEFT JOIN jobs j ON j.seq = q.first ORDER BY q.model");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  std::vector<ModelLoad> loads;
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return loads;
    }
    loads.push_back(ModelLoad{statement->column_text(0), statement->column_int64(1), statement->column_int64(2),
                              statement->column_optional_time(3)});
  }
}

}  // namespace genq::sqlite
