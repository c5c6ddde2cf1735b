// Job writes outside a lease: submit (with idempotency), claim, cancel.
#include <algorithm>

#include "genq/crypto/crypto.hpp"
#include "genq/store/claim_order.hpp"
#include "genq/store/sqlite/job_ops.hpp"
#include "genq/store/sqlite/job_row.hpp"
#include "genq/store/sqlite/outbox.hpp"
#include "genq/store/delivery_store.hpp"
#include "genq/store/store_rules.hpp"
#include "genq/store/sealed_secrets.hpp"

namespace genq::sqlite {
namespace {

struct IdempotencyRecord {
  std::string request_hash;
  std::string job_id;
  TimePoint created_at;
};

Result<std::optional<IdempotencyRecord>> find_idempotency_key(Connection& connection,
                                                              const std::string& client_id,
                                                              const std::string& key) {
  Result<Statement> statement = connection.prepare(
      "SELECT request_hash, job_id, created_at FROM idempotency_keys WHERE client_id = ?1 AND key = ?2");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, client_id).bind_text(2, key);
  Result<bool> row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<IdempotencyRecord>();
  }
  return std::optional<IdempotencyRecord>(IdempotencyRecord{
      statement->column_text(0), statement->column_text(1), from_unix_ms(statement->column_int64(2))});
}

// Binds the key to the job; an expired record for the same key is overwritten.
Status remember_idempotency_key(Connection& connection, const NewJob& job, TimePoint now) {
  Result<Statement> statement = connection.prepare(
      "INSERT INTO idempotency_keys (client_id, key, request_hash, job_id, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5)"
      " ON CONFLICT (client_id, key) DO UPDATE SET request_hash = excluded.request_hash,"
      "   job_id = excluded.job_id, created_at = excluded.created_at");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, job.client_id)
      .bind_text(2, job.idempotency_key)
      .bind_text(3, job.request_hash)
      .bind_text(4, job.id)
      .bind_int64(5, to_unix_ms(now));
  return statement->run();
}

// The new job is built from what was inserted rather than read back with RETURNING:
// that made sqlite copy every column into a result row and us out of it again, the
// largest allocation cost of a submit.
Result<Job> insert_job(Connection& connection, const NewJob& job, TimePoint now) {
  // fair_round (schema.cpp, version 10): after the client's last queued job of this
  // model and priority, and never below the lowest round still queued there, so a
  // client that queues late is not served ahead of the rounds already handed out.
  // Two index seeks.
  static const std::string kSql =
      "INSERT INTO jobs (id, client_id, task, model, params_json, inputs_json, dialect, status,"
      "                  max_attempts, webhook_url, webhook_secret, created_at, price_nanos, priority, fair_round,"
      "                  submit_request_id, cancel_after_ms, start_deadline, execution_timeout_ms, webhook_events)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9, ?10, ?11, ?12, ?13, MAX("
      "   COALESCE((SELECT fair_round FROM jobs INDEXED BY jobs_claim"
      "             WHERE status = 'pending' AND model = ?4 AND priority = ?13 ORDER BY fair_round LIMIT 1), 0),"
      "   COALESCE((SELECT MAX(fair_round) + 1 FROM jobs INDEXED BY jobs_live"
      "             WHERE client_id = ?2 AND status = 'pending' AND model = ?4 AND priority = ?13"
      "               AND status IN ('pending', 'processing', 'in_progress')), 0)), ?14, ?15, ?16, ?17, ?18)";
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  const std::string& inputs_json = job.inputs_json.empty() ? std::string("{}") : job.inputs_json;
  const std::int64_t created_ms = to_unix_ms(now);
  statement->bind_text(1, job.id)
      .bind_text(2, job.client_id)
      .bind_text(3, job.task)
      .bind_text(4, job.model)
      .bind_text(5, job.params_json)
      .bind_text(6, inputs_json)
      .bind_text(7, to_column(job.dialect))
      .bind_int64(8, job.max_attempts)
      .bind_text(9, job.webhook_url)
      .bind_text(10, seal_secret(job.webhook_secret))
      .bind_int64(11, created_ms)
      .bind_optional_int64(12, job.price_nanos)
      .bind_int64(13, static_cast<std::int64_t>(job.priority))
      .bind_text(14, job.submit_request_id)
      .bind_int64(15, job.cancel_after.count())
      .bind_optional_int64(16, store_rules::start_deadline_ms(job.cancel_after, now))
      .bind_int64(17, job.execution_timeout.count())
      .bind_text(18, job.webhook_events);
  if (Status inserted = statement->run(); !inserted) {
    if (inserted.error().kind == ErrorKind::Conflict) {
      return fail(Error::conflict("job id " + job.id + " already exists"));
    }
    return fail(std::move(inserted.error()));
  }
  Job out;
  out.id = job.id;
  out.seq = sqlite3_last_insert_rowid(connection.handle());
  out.client_id = job.client_id;
  out.task = job.task;
  out.model = job.model;
  out.params_json = job.params_json;
  out.inputs_json = inputs_json;
  out.dialect = job.dialect;
  out.priority = job.priority;
  out.status = JobStatus::Pending;
  out.max_attempts = job.max_attempts;
  out.webhook_url = job.webhook_url;
  out.webhook_secret = job.webhook_secret;
  out.webhook_events = job.webhook_events;
  out.submit_request_id = job.submit_request_id;
  out.cancel_after = job.cancel_after;
  if (auto deadline = store_rules::start_deadline_ms(job.cancel_after, now)) out.start_deadline = from_unix_ms(*deadline);
  out.execution_timeout = job.execution_timeout;
  out.created_at = from_unix_ms(created_ms);
  out.version = 1;
  return out;
}

// Reads one integer from a query whose parameters `bind` fills; 0 when it gives no row.
template <class Bind>
Result<std::int64_t> read_count(Connection& connection, std::string_view sql, Bind&& bind) {
  Result<Statement> statement = connection.prepare(sql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  bind(*statement);
  Result<bool> row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  return *row ? statement->column_int64(0) : 0;
}

// The client's queued jobs, counted up to `limit` in its live jobs' index.
Result<std::int64_t> count_queued(Connection& connection, const std::string& client_id, std::int64_t limit) {
  return read_count(connection,
                    "SELECT COUNT(*) FROM (SELECT 1 FROM jobs INDEXED BY jobs_live WHERE client_id = ?1"
                    " AND status = 'pending' AND status IN ('pending', 'processing', 'in_progress') LIMIT ?2)",
                    [&](Statement& statement) { statement.bind_text(1, client_id).bind_int64(2, limit); });
}

// The client's max_running grant and, when it has one, its running jobs (up to the cap).
Result<claim_order::RunningCap> read_running_cap(Connection& connection, const std::string& client_id) {
  Result<std::int64_t> cap = read_count(connection, "SELECT max_running FROM clients WHERE id = ?1",
                                        [&](Statement& statement) { statement.bind_text(1, client_id); });
  if (!cap) {
    return fail(std::move(cap.error()));
  }
  claim_order::RunningCap out{*cap, 0};
  if (out.max_running > 0) {
    Result<std::int64_t> running = read_count(
        connection,
        "SELECT COUNT(*) FROM (SELECT 1 FROM jobs INDEXED BY jobs_live WHERE client_id = ?1"
        " AND status IN ('processing', 'in_progress') AND status IN ('pending', 'processing', 'in_progress')"
        " LIMIT ?2)",
        [&](Statement& statement) { statement.bind_text(1, client_id).bind_int64(2, out.max_running); });
    if (!running) {
      return fail(std::move(running.error()));
    }
    out.running = *running;
  }
  return out;
}

// The first pending jobs of one model in claim order, up to `limit`, leaving out the
// clients in `skipped` (a JSON array) and jobs past their start_deadline. One range of
// the claim index, no row read.
Status collect_pending(Connection& connection, const std::string& model, int limit, const std::string& skipped,
                       TimePoint now, std::vector<claim_order::Candidate>& candidates) {
  Result<Statement> statement = connection.prepare(
      "SELECT seq, client_id, priority, fair_round FROM jobs INDEXED BY jobs_claim"
      " WHERE status = 'pending' AND model = ?1 AND client_id NOT IN (SELECT value FROM json_each(?3))"
      "   AND (start_deadline IS NULL OR start_deadline > ?4)"
      " ORDER BY priority DESC, fair_round, seq LIMIT ?2");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, model).bind_int64(2, limit).bind_text(3, skipped).bind_int64(4, to_unix_ms(now));
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return {};
    }
    candidates.push_back(claim_order::Candidate{statement->column_int64(0), statement->column_text(1),
                                                statement->column_int64(2), statement->column_int64(3)});
  }
}

// The job leased, or nullopt when it passed its start_deadline (the deadline sweep ends
// it): a job is never started after its cancel_after.
Result<std::optional<Job>> lease_job(Connection& connection, std::int64_t seq, const ClaimRequest& request,
                                     TimePoint now) {
  static const std::string kSql =
      "UPDATE jobs SET version = version + 1, status = 'processing', attempts = attempts + 1, lease_id = ?2,"
      "  run_deadline = CASE WHEN execution_timeout_ms > 0 THEN ?5 + execution_timeout_ms END,"
      "  lease_expires_at = CASE WHEN execution_timeout_ms > 0 THEN MIN(?3, ?5 + execution_timeout_ms) ELSE ?3 END,"
      "  worker_id = ?4, started_at = COALESCE(started_at, ?5), progress = NULL, preview_jpeg = x''"
      " WHERE seq = ?1 AND (start_deadline IS NULL OR start_deadline > ?5) RETURNING " +
      job_columns();
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_int64(1, seq)
      .bind_text(2, store_rules::new_lease_id(request.token_id))
      .bind_int64(3, to_unix_ms(now + request.lease))
      .bind_text(4, request.worker_id)
      .bind_int64(5, to_unix_ms(now));
  return step_job(*statement);
}

}  // namespace

Result<SubmitOutcome> submit_job(Connection& connection, const NewJob& job, TimePoint now) {
  if (!job.idempotency_key.empty()) {
    Result<std::optional<IdempotencyRecord>> record =
        find_idempotency_key(connection, job.client_id, job.idempotency_key);
    if (!record) {
      return fail(std::move(record.error()));
    }
    // A key older than the window no longer counts: the request makes a new job and
    // the key is rebound to it below.
    if (*record && now - (*record)->created_at < kIdempotencyWindow) {
      if ((*record)->request_hash != job.request_hash) {
        return fail(Error::conflict("Idempotency-Key was already used with a different request"));
      }
      Result<std::optional<Job>> earlier = find_job(connection, (*record)->job_id);
      if (!earlier) {
        return fail(std::move(earlier.error()));
      }
      if (*earlier) {
        return SubmitOutcome{std::move(**earlier), false};
      }
      // The earlier job is gone (deleted by retention): nothing to replay, so submit anew.
    }
  }

  if (job.max_queued > 0) {
    Result<std::int64_t> queued = count_queued(connection, job.client_id, job.max_queued);
    if (!queued) {
      return fail(std::move(queued.error()));
    }
    if (*queued >= job.max_queued) {
      return fail(claim_order::queue_full(job.max_queued));
    }
  }
  Result<Job> inserted = insert_job(connection, job, now);
  if (!inserted) {
    return fail(std::move(inserted.error()));
  }
  if (!job.idempotency_key.empty()) {
    if (Status remembered = remember_idempotency_key(connection, job, now); !remembered) {
      return fail(std::move(remembered.error()));
    }
  }
  return SubmitOutcome{std::move(*inserted), true};
}

Result<std::vector<Lease>> claim_jobs(Connection& connection, const ClaimRequest& request, TimePoint now) {
  std::vector<Lease> leases;
  if (request.max_jobs <= 0 || request.models.empty()) {
    return leases;
  }
  std::vector<std::string> models = request.models;
  std::sort(models.begin(), models.end());
  models.erase(std::unique(models.begin(), models.end()), models.end());
  claim_order::ClaimPicker picker(request.max_jobs);
  // One index range per model, then the first max_jobs of them in claim order: a
  // single `model IN (...) ORDER BY ...` would have to sort every pending job of those
  // models. A client found at its cap is left out of the next pass's ranges.
  while (picker.wants_more()) {
    std::vector<claim_order::Candidate> candidates;
    const std::string skipped = store_rules::to_json_array(picker.capped_clients());
    for (const std::string& model : models) {
      if (Status collected = collect_pending(connection, model, picker.still_wanted(), skipped, now, candidates);
          !collected) {
        return fail(std::move(collected.error()));
      }
    }
    Result<std::vector<std::int64_t>> chosen =
        picker.choose(std::move(candidates), [&](const std::string& client_id) {
          return read_running_cap(connection, client_id);
        });
    if (!chosen) {
      return fail(std::move(chosen.error()));
    }
    for (std::int64_t seq : *chosen) {
      Result<std::optional<Job>> job = lease_job(connection, seq, request, now);
      if (!job) {
        return fail(std::move(job.error()));
      }
      if (!*job) {
        continue;  // collect_pending left it out; kept as the rule's last word
      }
      if (Status recorded = record_job_event(connection, **job, JobStatus::Pending, {}, now); !recorded) {
        return fail(std::move(recorded.error()));
      }
      leases.push_back(Lease{std::move(**job)});
    }
  }
  return leases;
}

Result<Job> cancel_job(Connection& connection, const std::string& job_id, const std::string& client_id,
                       TimePoint now) {
  Result<std::optional<Job>> found = find_job(connection, job_id);
  if (!found) {
    return fail(std::move(found.error()));
  }
  // Another client's job is reported exactly like a missing one: ids are not secrets
  // we want to confirm.
  if (!*found || (*found)->client_id != client_id) {
    return fail(Error::not_found("job not found"));
  }
  if (is_final((*found)->status)) {
    return fail(Error::conflict("job is already final"));
  }
  // Clearing the lease is what stops the worker: its next heartbeat gets "lease lost".
  static const std::string kSql =
      "UPDATE jobs SET version = version + 1, status = 'error', error = 'cancelled', lease_id = '', lease_expires_at = NULL,"
      "  finished_at = ?2, preview_jpeg = x''"
      " WHERE seq = ?1 RETURNING " +
      job_columns();
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_int64(1, (*found)->seq).bind_int64(2, to_unix_ms(now));
  Result<std::optional<Job>> cancelled = step_job(*statement);
  if (!cancelled) {
    return fail(std::move(cancelled.error()));
  }
  if (!*cancelled) {
    return fail(Error::internal("cancelled job vanished"));
  }
  if (Status recorded = record_job_event(connection, **cancelled, (*found)->status, kErrorCancelled, now);
      !recorded) {
    return fail(std::move(recorded.error()));
  }
  return std::move(**cancelled);
}

}  // namespace genq::sqlite
