// Job writes outside a lease: submit (with idempotency), claim, cancel.
#include <algorithm>
#include <map>

#include "genq/crypto/crypto.hpp"
#include "genq/store/claim_order.hpp"
#include "genq/store/delivery_store.hpp"
#include "genq/store/postgres/job_ops.hpp"
#include "genq/store/postgres/job_row.hpp"
#include "genq/store/store_rules.hpp"
#include "genq/store/sealed_secrets.hpp"

namespace genq::postgres {
namespace {

// Two nodes may get the same Idempotency-Key at once: a transaction-scoped advisory
// lock on (client, key) makes the second wait for the first's commit and then find
// its record, instead of both inserting a job.
Status lock_idempotency_key(Connection& connection, const NewJob& job) {
  Result<Rows> locked = connection.query("SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(10) || $2, 0))",
                                         Params().text(job.client_id).text(job.idempotency_key));
  if (!locked) {
    return fail(std::move(locked.error()));
  }
  return {};
}

// The earlier job an Idempotency-Key replays, Conflict if the key came with another
// request, nullopt when there is none (no record, an expired one, or a deleted job).
Result<std::optional<Job>> replayed_job(Connection& connection, const NewJob& job, TimePoint now) {
  Result<Rows> record = connection.query(
      "SELECT request_hash, job_id, created_at FROM idempotency_keys WHERE client_id = $1 AND key = $2",
      Params().text(job.client_id).text(job.idempotency_key));
  if (!record) {
    return fail(std::move(record.error()));
  }
  // A key older than the window no longer counts: the request makes a new job.
  if (record->empty() || now - record->time(0, 2) >= store_rules::kIdempotencyWindow) {
    return std::optional<Job>();
  }
  if (record->text(0, 0) != job.request_hash) {
    return fail(Error::conflict("Idempotency-Key was already used with a different request"));
  }
  return find_job(connection, record->text(0, 1));
}

Status remember_idempotency_key(Connection& connection, const NewJob& job, TimePoint now) {
  Result<Rows> upserted = connection.query(
      "INSERT INTO idempotency_keys (client_id, key, request_hash, job_id, created_at) VALUES ($1, $2, $3, $4, $5)"
      " ON CONFLICT (client_id, key) DO UPDATE SET request_hash = excluded.request_hash,"
      "   job_id = excluded.job_id, created_at = excluded.created_at",
      Params().text(job.client_id).text(job.idempotency_key).text(job.request_hash).text(job.id).time(now));
  if (!upserted) {
    return fail(std::move(upserted.error()));
  }
  return {};
}

Result<Job> insert_job(Connection& connection, const NewJob& job, TimePoint now) {
  const std::string inputs_json = job.inputs_json.empty() ? std::string("{}") : job.inputs_json;
  // ON CONFLICT DO NOTHING rather than a unique violation: an error would abort the
  // whole batch transaction, this only returns no row.
  // fair_round (schema.cpp, version 6): after the client's last queued job of this
  // model and priority, and never below the lowest round still queued there. Two
  // index reads; two submits racing may share a round, which only ties them.
  Result<Rows> inserted = connection.query(
      "INSERT INTO jobs (id, client_id, task, model, params_json, inputs_json, dialect, status, max_attempts,"
      "                  webhook_url, webhook_secret, created_at, price_nanos, priority, fair_round,"
      "                  submit_request_id, cancel_after_ms, start_deadline, execution_timeout_ms, webhook_events)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11, $12, $13, GREATEST("
      "   (SELECT fair_round FROM jobs WHERE status = 'pending' AND model = $4 AND priority = $13"
      "    ORDER BY fair_round LIMIT 1),"
      "   (SELECT max(fair_round) + 1 FROM jobs WHERE client_id = $2 AND status = 'pending' AND model = $4"
      "    AND priority = $13 AND status IN ('pending', 'processing', 'in_progress')), 0), $14, $15, $16, $17, $18)"
      " ON CONFLICT (id) DO NOTHING RETURNING seq",
      Params()
          .text(job.id)
          .text(job.client_id)
          .text(job.task)
          .text(job.model)
          .text(job.params_json)
          .text(inputs_json)
          .text(to_column(job.dialect))
          .int64(job.max_attempts)
          .text(job.webhook_url)
          .text(seal_secret(job.webhook_secret))
          .time(now)
          .optional_int64(job.price_nanos)
          .int64(static_cast<std::int64_t>(job.priority))
          .text(job.submit_request_id)
          .int64(job.cancel_after.count())
          .optional_int64(store_rules::start_deadline_ms(job.cancel_after, now))
          .int64(job.execution_timeout.count())
          .text(job.webhook_events));
  if (!inserted) {
    return fail(std::move(inserted.error()));
  }
  if (inserted->empty()) {
    return fail(Error::conflict("job id " + job.id + " already exists"));
  }
  Job out;
  out.id = job.id;
  out.seq = inserted->int64(0, 0);
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
  out.created_at = now;
  out.version = 1;  // the column's default
  return out;
}

}  // namespace

Result<SubmitOutcome> submit_job(Connection& connection, const NewJob& job, TimePoint now) {
  if (!job.idempotency_key.empty()) {
    if (Status locked = lock_idempotency_key(connection, job); !locked) {
      return fail(std::move(locked.error()));
    }
    Result<std::optional<Job>> earlier = replayed_job(connection, job, now);
    if (!earlier) {
      return fail(std::move(earlier.error()));
    }
    if (*earlier) {
      return SubmitOutcome{std::move(**earlier), false};
    }
  }
  if (job.max_queued > 0) {
    // Counted in the client's live jobs (jobs_live), up to the cap. Two nodes may each
    // admit the last free place at once: the cap holds to within the nodes' number.
    Result<Rows> queued = connection.query(
        "SELECT count(*) FROM (SELECT 1 FROM jobs WHERE client_id = $1 AND status = 'pending'"
        " AND status IN ('pending', 'processing', 'in_progress') LIMIT $2) q",
        Params().text(job.client_id).int64(job.max_queued));
    if (!queued) {
      return fail(std::move(queued.error()));
    }
    if (queued->int64(0, 0) >= job.max_queued) {
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

namespace {

// A text[] literal of `items`, for unnest and ANY.
std::string text_array(const std::vector<std::string>& items) {
  std::string array = "{";
  for (const std::string& item : items) {
    if (array.size() > 1) {
      array += ',';
    }
    array += '"';
    for (char c : item) {
      if (c == '"' || c == '\\') {
        array += '\\';
      }
      array += c;
    }
    array += '"';
  }
  array += '}';
  return array;
}

}  // namespace

Result<std::vector<Lease>> claim_jobs(Connection& connection, const ClaimRequest& request, TimePoint now) {
  std::vector<Lease> leases;
  if (request.max_jobs <= 0 || request.models.empty()) {
    return leases;
  }
  std::vector<std::string> models = request.models;
  std::sort(models.begin(), models.end());
  models.erase(std::unique(models.begin(), models.end()), models.end());
  const std::string model_array = text_array(models);
  // Per model, the first pending jobs in claim order (claim_order.hpp) that nobody else
  // is claiming right now (SKIP LOCKED: another node's claim holds its rows until it
  // commits, and we take the next ones instead of waiting), without the clients found
  // at their cap; with each job its client's max_running and, for a client that has
  // one, its running jobs. The lock of a candidate left out lasts until this
  // transaction commits. Caps hold per claim; two nodes claiming for one client at
  // once may each start its last free place.
  static const std::string kCandidates =
      "SELECT c.seq, c.client_id, c.priority, c.fair_round, COALESCE(cl.max_running, 0),"
      "  CASE WHEN COALESCE(cl.max_running, 0) > 0 THEN"
      "    (SELECT count(*) FROM jobs r WHERE r.client_id = c.client_id AND r.status IN ('processing', 'in_progress')"
      "     AND r.status IN ('pending', 'processing', 'in_progress')) ELSE 0 END"
      " FROM (SELECT p.* FROM unnest($1::text[]) AS m(model)"
      "  CROSS JOIN LATERAL (SELECT seq, client_id, priority, fair_round FROM jobs"
      "                      WHERE status = 'pending' AND model = m.model AND client_id <> ALL($3::text[])"
      "                        AND (start_deadline IS NULL OR start_deadline > $4::bigint)"
      "                      ORDER BY priority DESC, fair_round, seq LIMIT $2 FOR UPDATE SKIP LOCKED) p) c"
      " LEFT JOIN clients cl ON cl.id = c.client_id";
  static const std::string kLease =
      "UPDATE jobs SET status = 'processing', attempts = attempts + 1, version = version + 1,"
      "   lease_id = 'ls_' || $5 || '_' || replace(gen_random_uuid()::text, '-', ''),"
      "   run_deadline = CASE WHEN execution_timeout_ms > 0 THEN $4::bigint + execution_timeout_ms END,"
      "   lease_expires_at = CASE WHEN execution_timeout_ms > 0 THEN LEAST($2::bigint, $4::bigint + execution_timeout_ms)"
      "                      ELSE $2::bigint END,"
      "   worker_id = $3, started_at = COALESCE(started_at, $4),"
      "   progress = NULL, preview_jpeg = '\\x'"
      " WHERE seq = ANY($1::bigint[]) RETURNING " +
      job_columns("jobs");
  claim_order::ClaimPicker picker(request.max_jobs);
  while (picker.wants_more()) {
    Result<Rows> rows = connection.query(
        kCandidates,
        Params()
            .text(model_array)
            .int64(picker.still_wanted())
            .text(text_array(picker.capped_clients()))
            .time(now));
    if (!rows) {
      return fail(std::move(rows.error()));
    }
    std::vector<claim_order::Candidate> candidates;
    std::map<std::string, claim_order::RunningCap> caps;
    for (int row = 0; row < rows->size(); ++row) {
      candidates.push_back(
          claim_order::Candidate{rows->int64(row, 0), rows->text(row, 1), rows->int64(row, 2), rows->int64(row, 3)});
      caps[rows->text(row, 1)] = claim_order::RunningCap{rows->int64(row, 4), rows->int64(row, 5)};
    }
    Result<std::vector<std::int64_t>> chosen =
        picker.choose(std::move(candidates), [&](const std::string& client_id) -> Result<claim_order::RunningCap> {
          return caps[client_id];
        });
    if (!chosen) {
      return fail(std::move(chosen.error()));
    }
    if (chosen->empty()) {
      continue;
    }
    std::string seq_array = "{";
    for (std::int64_t seq : *chosen) {
      seq_array += (seq_array.size() > 1 ? "," : "") + std::to_string(seq);
    }
    seq_array += '}';
    Result<Rows> leased = connection.query(kLease, Params()
                                                       .text(seq_array)
                                                       .time(now + request.lease)
                                                       .text(request.worker_id)
                                                       .time(now)
                                                       .text(store_rules::lease_tag(request.token_id)));
    if (!leased) {
      return fail(std::move(leased.error()));
    }
    Result<std::vector<Job>> jobs = read_jobs(*leased);
    if (!jobs) {
      return fail(std::move(jobs.error()));
    }
    // In claim order, as chosen.
    std::map<std::int64_t, std::size_t> rank;
    for (std::size_t i = 0; i < chosen->size(); ++i) {
      rank[(*chosen)[i]] = i;
    }
    std::sort(jobs->begin(), jobs->end(), [&](const Job& a, const Job& b) { return rank[a.seq] < rank[b.seq]; });
    for (Job& job : *jobs) {
      if (Status recorded = record_job_event(connection, job, JobStatus::Pending, {}, now); !recorded) {
        return fail(std::move(recorded.error()));
      }
      leases.push_back(Lease{std::move(job)});
    }
  }
  return leases;
}

Result<Job> cancel_job(Connection& connection, const std::string& job_id, const std::string& client_id, TimePoint now) {
  Result<Rows> locked =
      connection.query("SELECT client_id, status FROM jobs WHERE id = $1 FOR UPDATE", Params().text(job_id));
  if (!locked) {
    return fail(std::move(locked.error()));
  }
  // Another client's job is reported exactly like a missing one.
  if (locked->empty() || locked->text(0, 0) != client_id) {
    return fail(Error::not_found("job not found"));
  }
  const JobStatus previous = parse_job_status(locked->text(0, 1)).value_or(JobStatus::Pending);
  if (is_final(previous)) {
    return fail(Error::conflict("job is already final"));
  }
  // Clearing the lease is what stops the worker: its next heartbeat gets "lease lost".
  static const std::string kSql =
      "UPDATE jobs SET status = 'error', error = 'cancelled', lease_id = '', lease_expires_at = NULL,"
      "  finished_at = $2, preview_jpeg = '\\x', version = version + 1"
      " WHERE id = $1 RETURNING " +
      job_columns();
  Result<Rows> rows = connection.query(kSql, Params().text(job_id).time(now));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->empty()) {
    return fail(Error::internal("cancelled job vanished"));
  }
  Result<Job> cancelled = read_job(*rows, 0);
  if (!cancelled) {
    return cancelled;
  }
  if (Status recorded = record_job_event(connection, *cancelled, previous, kErrorCancelled, now); !recorded) {
    return fail(std::move(recorded.error()));
  }
  return cancelled;
}

}  // namespace genq::postgres
