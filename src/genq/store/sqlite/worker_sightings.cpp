// Worker presence (docs/operations.md, "Worker presence"): one row per worker id,
// written by the nodes' sighting flushes, read with the leases the workers hold.
#include <map>

#include "genq/store/sqlite/job_ops.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::sqlite {

Status upsert_workers(Connection& connection, const std::vector<WorkerSighting>& sightings,
                      TimePoint forget_before) {
  // A sighting older than the stored one (another node flushed later) changes nothing;
  // one without models keeps the stored list.
  static const std::string kUpsert =
      "INSERT INTO workers (worker_id, token_id, token_name, models, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5)"
      " ON CONFLICT (worker_id) DO UPDATE SET token_id = excluded.token_id, token_name = excluded.token_name,"
      "   models = CASE WHEN excluded.models = '[]' THEN workers.models ELSE excluded.models END,"
      "   last_seen_at = excluded.last_seen_at"
      " WHERE excluded.last_seen_at >= workers.last_seen_at";
  for (const WorkerSighting& seen : sightings) {
    Result<Statement> upsert = connection.prepare(kUpsert);  // cached: reset when it goes
    if (!upsert) {
      return fail(std::move(upsert.error()));
    }
    upsert->bind_text(1, seen.worker_id)
        .bind_text(2, seen.token_id)
        .bind_text(3, seen.token_name)
        .bind_text(4, store_rules::to_json_array(seen.models))
        .bind_int64(5, to_unix_ms(seen.seen_at));
    if (Status ran = upsert->run(); !ran) {
      return ran;
    }
  }
  // A handful of rows: the scan costs nothing.
  Result<Statement> forget = connection.prepare("DELETE FROM workers WHERE last_seen_at < ?1");
  if (!forget) {
    return fail(std::move(forget.error()));
  }
  forget->bind_int64(1, to_unix_ms(forget_before));
  return forget->run();
}

Result<std::vector<WorkerRecord>> read_workers(Connection& connection, TimePoint since, TimePoint now) {
  Result<Statement> statement = connection.prepare(
      "SELECT worker_id, token_id, token_name, models, last_seen_at FROM workers WHERE last_seen_at >= ?1"
      " ORDER BY last_seen_at DESC, worker_id");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_int64(1, to_unix_ms(since));
  std::vector<WorkerRecord> workers;
  std::map<std::string, std::size_t> by_id;
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    WorkerRecord worker;
    worker.worker_id = statement->column_text(0);
    worker.token_id = statement->column_text(1);
    worker.token_name = statement->column_text(2);
    Result<std::vector<std::string>> models =
        store_rules::parse_json_array(statement->column_text(3), "models of worker " + worker.worker_id);
    if (!models) {
      return fail(std::move(models.error()));
    }
    worker.models = std::move(*models);
    worker.last_seen_at = from_unix_ms(statement->column_int64(4));
    by_id.emplace(worker.worker_id, workers.size());
    workers.push_back(std::move(worker));
  }
  // Live leases, from the lease index (status, lease_expires_at): `> ?1` implies its
  // condition, and only jobs leased now are in it.
  Result<Statement> leases = connection.prepare(
      "SELECT worker_id, id FROM jobs WHERE status IN ('processing', 'in_progress') AND lease_expires_at > ?1"
      " ORDER BY seq");
  if (!leases) {
    return fail(std::move(leases.error()));
  }
  leases->bind_int64(1, to_unix_ms(now));
  while (true) {
    Result<bool> row = leases->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return workers;
    }
    if (auto it = by_id.find(leases->column_text(0)); it != by_id.end()) {
      workers[it->second].current_jobs.push_back(leases->column_text(1));
    }
  }
}

}  // namespace genq::sqlite
