// Worker presence (docs/operations.md, "Worker presence"): one row per worker id,
// written by every node's sighting flushes, read with the leases the workers hold.
#include <map>

#include "genq/store/postgres/job_ops.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::postgres {

Status upsert_workers(Connection& connection, const std::vector<WorkerSighting>& sightings,
                      TimePoint forget_before) {
  // Advisory: a write lost to a crash is repeated by the next flush.
  if (Status lazy = connection.exec("SET LOCAL synchronous_commit = off"); !lazy) {
    return lazy;
  }
  // A sighting older than the stored one (another node flushed later) changes nothing;
  // one without models keeps the stored list.
  for (const WorkerSighting& seen : sightings) {
    Result<Rows> upserted = connection.query(
        "INSERT INTO workers (worker_id, token_id, token_name, models, last_seen_at) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (worker_id) DO UPDATE SET token_id = EXCLUDED.token_id, token_name = EXCLUDED.token_name,"
        "   models = CASE WHEN EXCLUDED.models = '[]' THEN workers.models ELSE EXCLUDED.models END,"
        "   last_seen_at = EXCLUDED.last_seen_at"
        " WHERE EXCLUDED.last_seen_at >= workers.last_seen_at",
        Params()
            .text(seen.worker_id)
            .text(seen.token_id)
            .text(seen.token_name)
            .text(store_rules::to_json_array(seen.models))
            .time(seen.seen_at));
    if (!upserted) {
      return fail(std::move(upserted.error()));
    }
  }
  // A handful of rows: the scan costs nothing.
  Result<Rows> forgotten =
      connection.query("DELETE FROM workers WHERE last_seen_at < $1", Params().time(forget_before));
  if (!forgotten) {
    return fail(std::move(forgotten.error()));
  }
  return {};
}

Result<std::vector<WorkerRecord>> read_workers(Connection& connection, TimePoint since, TimePoint now) {
  Result<Rows> rows = connection.query(
      "SELECT worker_id, token_id, token_name, models, last_seen_at FROM workers WHERE last_seen_at >= $1"
      " ORDER BY last_seen_at DESC, worker_id",
      Params().time(since));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  std::vector<WorkerRecord> workers;
  std::map<std::string, std::size_t> by_id;
  for (int row = 0; row < rows->size(); ++row) {
    WorkerRecord worker;
    worker.worker_id = rows->text(row, 0);
    worker.token_id = rows->text(row, 1);
    worker.token_name = rows->text(row, 2);
    Result<std::vector<std::string>> models =
        store_rules::parse_json_array(rows->text(row, 3), "models of worker " + worker.worker_id);
    if (!models) {
      return fail(std::move(models.error()));
    }
    worker.models = std::move(*models);
    worker.last_seen_at = rows->time(row, 4);
    by_id.emplace(worker.worker_id, workers.size());
    workers.push_back(std::move(worker));
  }
  // Live leases, from the partial lease index (lease_expires_at): only jobs leased now.
  Result<Rows> leases = connection.query(
      "SELECT worker_id, id FROM jobs WHERE status IN ('processing', 'in_progress') AND lease_expires_at > $1"
      " ORDER BY seq",
      Params().time(now));
  if (!leases) {
    return fail(std::move(leases.error()));
  }
  for (int row = 0; row < leases->size(); ++row) {
    if (auto it = by_id.find(leases->text(row, 0)); it != by_id.end()) {
      workers[it->second].current_jobs.push_back(leases->text(row, 1));
    }
  }
  return workers;
}

}  // namespace genq::postgres
