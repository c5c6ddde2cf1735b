// Job lists and the live queue by model (GET /api/v1/client/jobs, /api/v1/admin/jobs,
// /api/v1/admin/queue). Each filter the lists offer has an index ending in seq (schema
// version 4), so a page is read newest first from it and the total counted from it.
#include "genq/store/postgres/job_ops.hpp"
#include "genq/store/postgres/job_row.hpp"

namespace genq::postgres {
namespace {

// " WHERE ..." for the query's filters; `params` gets their values, $1.. in order.
std::string where_clause(const JobListQuery& query, Params& params) {
  std::string where;
  auto add = [&](const std::string& condition) { where += (where.empty() ? " WHERE " : " AND ") + condition; };
  if (!query.client_id.empty()) {
    params.text(query.client_id);
    add("client_id = $" + std::to_string(params.size()));
  }
  if (!query.statuses.empty()) {
    std::string in = "status IN (";
    for (std::size_t i = 0; i < query.statuses.size(); ++i) {
      params.text(to_string(query.statuses[i]));
      in += (i ? ", $" : "$") + std::to_string(params.size());
    }
    add(in + ")");
  }
  if (!query.task.empty()) {
    params.text(query.task);
    add("task = $" + std::to_string(params.size()));
  }
  return where;
}

}  // namespace

Result<JobPage> list_jobs(Connection& connection, const JobListQuery& query) {
  Params params;
  const std::string where = where_clause(query, params);
  JobPage page;
  Result<Rows> count = connection.query("SELECT COUNT(*) FROM jobs" + where, params);
  if (!count) {
    return fail(std::move(count.error()));
  }
  page.total = count->empty() ? 0 : count->int64(0, 0);
  if (page.total <= query.offset) {
    return page;
  }
  const int limit = params.size() + 1;
  params.int64(query.limit).int64(query.offset);
  Result<Rows> rows = connection.query("SELECT " + listed_job_columns() + " FROM jobs" + where +
                                           " ORDER BY seq DESC LIMIT $" + std::to_string(limit) + " OFFSET $" +
                                           std::to_string(limit + 1),
                                       params);
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  Result<std::vector<Job>> jobs = read_jobs(*rows);
  if (!jobs) {
    return fail(std::move(jobs.error()));
  }
  page.jobs = std::move(*jobs);
  return page;
}

Result<std::vector<Job>> list_jobs_to_replay(Connection& connection, const std::string& client_id, TimePoint ended_since,
                                             int limit) {
  // The leased jobs (jobs_lease) and the recently ended ones (jobs_finished), not the
  // client's whole history.
  Result<Rows> rows = connection.query("SELECT " + listed_job_columns() +
                                           " FROM jobs WHERE lease_expires_at IS NOT NULL"
                                           "   AND status IN ('processing', 'in_progress') AND client_id = $1"
                                           " UNION ALL SELECT " +
                                           listed_job_columns() +
                                           " FROM jobs WHERE finished_at >= $2 AND client_id = $1"
                                           " ORDER BY seq DESC LIMIT $3",
                                       Params().text(client_id).time(ended_since).int64(limit));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  return read_jobs(*rows);
}

Result<std::vector<ModelLoad>> list_model_loads(Connection& connection) {
  // Live jobs only: the status index (status, seq) holds them apart from the history;
  // the join reads one row per model with pending work, its oldest pending job.
  Result<Rows> rows = connection.query(
      "SELECT q.model, q.pending, q.processing, j.created_at FROM"
      " (SELECT model, COUNT(*) FILTER (WHERE status = 'pending') AS pending,"
      "         COUNT(*) FILTER (WHERE status <> 'pending') AS processing,"
      "         MIN(seq) FILTER (WHERE status = 'pending') AS first"
      "  FROM jobs WHERE status IN ('pending', 'processing', 'in_progress') GROUP BY model) q"
      " LEFT JOIN jobs j ON j.seq = q.first ORDER BY q.model");
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  std::vector<ModelLoad> loads;
  loads.reserve(static_cast<std::size_t>(rows->size()));
  for (int row = 0; row < rows->size(); ++row) {
    loads.push_back(
        ModelLoad{rows->text(row, 0), rows->int64(row, 1), rows->int64(row, 2), rows->optional_time(row, 3)});
  }
  return loads;
}

}  // namespace genq::postgres
