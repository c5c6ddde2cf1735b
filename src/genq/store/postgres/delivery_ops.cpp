#include "genq/store/postgres/delivery_ops.hpp"
#include "genq/store/sealed_secrets.hpp"

#include <algorithm>

namespace genq::postgres {
namespace {

Result<JobStatus> status_column(const Rows& rows, int row, int column, const std::string& delivery_id) {
  const std::string text = rows.text(row, column);
  std::optional<JobStatus> status = parse_job_status(text);
  if (!status) {
    return fail(Error::internal("delivery " + delivery_id + " reports unknown status '" + text + "'"));
  }
  return *status;
}

Result<DueDelivery> read_due(const Rows& rows, int row) {
  DueDelivery d;
  d.id = rows.text(row, 0);
  d.version = rows.int64(row, 1);
  d.event = rows.text(row, 2);
  d.url = rows.text(row, 3);
  d.host = rows.text(row, 4);
  d.series_attempts = static_cast<int>(rows.int64(row, 5));
  d.occurred_at = rows.time(row, 6);
  d.job_id = rows.text(row, 7);
  Result<JobStatus> status = status_column(rows, row, 8, d.id);
  if (!status) {
    return fail(std::move(status.error()));
  }
  Result<JobStatus> previous = status_column(rows, row, 9, d.id);
  if (!previous) {
    return fail(std::move(previous.error()));
  }
  d.status = *status;
  d.previous_status = *previous;
  d.error_code = std::string(deapi_error_code(rows.text(row, 10)));
  d.task = rows.text(row, 11);
  d.error = rows.text(row, 12);
  d.result_blob = rows.text(row, 13);
  d.started_at = rows.optional_time(row, 14);
  d.finished_at = rows.optional_time(row, 15);
  d.job_secret = open_secret(rows.text(row, 16));
  d.account_secret = open_secret(rows.text(row, 17));
  d.previous_account_secret = open_secret(rows.text(row, 18));
  d.previous_secret_until = rows.optional_time(row, 19);
  d.callback = rows.boolean(row, 20);
  d.submit_request_id = rows.text(row, 21);
  d.client_id = rows.text(row, 22);
  d.account_endpoint = !d.callback && rows.boolean(row, 23);
  d.endpoint_disabled = d.account_endpoint && rows.boolean(row, 24);
  d.endpoint_disabled_reason = rows.text(row, 25);
  return d;
}

// A claim that still holds at $3 (now).
constexpr const char* kLiveClaim = "(state = 'pending' AND claimed_by IS NOT NULL AND next_attempt_at > $3)";

constexpr const char* kRecordColumns =
    "seq, id, job_id, event, url, state, attempts, created_at, next_attempt_at, finished_at";

// Reads every delivery of `rows` (kRecordColumns) with its attempt log.
Result<std::vector<DeliveryRecord>> read_records(Connection& connection, const Rows& rows) {
  std::vector<DeliveryRecord> records;
  for (int row = 0; row < rows.size(); ++row) {
    DeliveryRecord record;
    const std::int64_t seq = rows.int64(row, 0);
    record.id = rows.text(row, 1);
    record.job_id = rows.text(row, 2);
    record.event = rows.text(row, 3);
    record.url = rows.text(row, 4);
    const std::string state = rows.text(row, 5);
    std::optional<DeliveryState> parsed = parse_delivery_state(state);
    if (!parsed) {
      return fail(Error::internal("delivery " + record.id + " has unknown state '" + state + "'"));
    }
    record.state = *parsed;
    record.attempts = static_cast<int>(rows.int64(row, 6));
    record.created_at = rows.time(row, 7);
    record.next_attempt_at = rows.optional_time(row, 8);
    record.finished_at = rows.optional_time(row, 9);

    Result<Rows> log = connection.query(
        "SELECT number, started_at, latency_ms, http_status, error, next_retry_at FROM webhook_attempts"
        " WHERE delivery_seq = $1 ORDER BY number",
        Params().int64(seq));
    if (!log) {
      return fail(std::move(log.error()));
    }
    for (int n = 0; n < log->size(); ++n) {
      DeliveryAttempt attempt;
      attempt.number = static_cast<int>(log->int64(n, 0));
      attempt.started_at = log->time(n, 1);
      attempt.latency = Millis(log->int64(n, 2));
      if (std::optional<std::int64_t> status = log->optional_int64(n, 3)) {
        attempt.http_status = static_cast<int>(*status);
      }
      attempt.error = log->text(n, 4);
      attempt.next_retry_at = log->optional_time(n, 5);
      record.log.push_back(std::move(attempt));
    }
    records.push_back(std::move(record));
  }
  return records;
}

Status record_one(Connection& connection, const AttemptRecord& attempt) {
  // The delivery row is locked first, so attempts recorded by two nodes for the same
  // delivery number themselves one after the other.
  Result<Rows> locked = connection.query("SELECT seq, attempts FROM webhook_deliveries WHERE id = $1 FOR UPDATE",
                                         Params().text(attempt.delivery_id));
  if (!locked) {
    return fail(std::move(locked.error()));
  }
  if (locked->empty()) {
    return {};  // pruned meanwhile: nothing left to update
  }
  const bool pending = attempt.state == DeliveryState::Pending;
  Result<Rows> logged = connection.query(
      "INSERT INTO webhook_attempts (delivery_seq, number, started_at, latency_ms, http_status, error, next_retry_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7)",
      Params()
          .int64(locked->int64(0, 0))
          .int64(locked->int64(0, 1) + 1)
          .time(attempt.started_at)
          .int64(attempt.latency.count())
          .optional_int64(attempt.http_status ? std::optional<std::int64_t>(*attempt.http_status) : std::nullopt)
          .text(attempt.error)
          .optional_time(pending ? attempt.next_attempt_at : std::nullopt));
  if (!logged) {
    return fail(std::move(logged.error()));
  }
  // Only the attempt's own claim decides what follows. With a stale version (a
  // redelivery came while it was in flight) the redelivery's attempt is due at once;
  // a claim another node took over after this one expired is left to that node.
  const TimePoint finished = attempt.started_at + attempt.latency;
  Result<Rows> updated = connection.query(
      "UPDATE webhook_deliveries SET attempts = attempts + 1,"
      "  series_attempts = CASE WHEN version = $2 AND claimed_by = $6 THEN series_attempts + 1"
      "    ELSE series_attempts END,"
      "  state = CASE WHEN version = $2 AND claimed_by = $6 THEN $3::text ELSE state END,"
      "  next_attempt_at = CASE WHEN version = $2 AND claimed_by = $6 THEN $4::bigint"
      "    WHEN claimed_by = $6 THEN LEAST(next_attempt_at, $7::bigint) ELSE next_attempt_at END,"
      "  finished_at = CASE WHEN version = $2 AND claimed_by = $6 THEN $5::bigint ELSE finished_at END,"
      "  claimed_by = CASE WHEN claimed_by = $6 THEN NULL ELSE claimed_by END"
      " WHERE id = $1",
      Params()
          .text(attempt.delivery_id)
          .int64(attempt.version)
          .text(to_string(attempt.state))
          .optional_time(pending ? std::optional<TimePoint>(attempt.next_attempt_at.value_or(finished)) : std::nullopt)
          .optional_time(pending ? std::nullopt : std::optional<TimePoint>(finished))
          .text(attempt.claimant)
          .time(attempt.started_at));
  if (!updated) {
    return fail(std::move(updated.error()));
  }
  return {};
}

}  // namespace

Result<std::vector<std::string>> find_due_hosts(Connection& connection, TimePoint now) {
  // A loose index scan over webhook_deliveries_host: each step seeks the next host,
  // so a receiver with a million deliveries waiting costs one step like any other.
  Result<Rows> rows = connection.query(
      "WITH RECURSIVE hosts(host) AS ("
      "  (SELECT host FROM webhook_deliveries WHERE state = 'pending' ORDER BY host LIMIT 1)"
      "  UNION ALL"
      "  SELECT (SELECT d.host FROM webhook_deliveries d WHERE d.state = 'pending' AND d.host > hosts.host"
      "          ORDER BY d.host LIMIT 1)"
      "  FROM hosts WHERE hosts.host IS NOT NULL)"
      " SELECT host FROM hosts WHERE host IS NOT NULL"
      "  AND (SELECT MIN(d.next_attempt_at) FROM webhook_deliveries d"
      "       WHERE d.state = 'pending' AND d.host = hosts.host) <= $1",
      Params().time(now));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  std::vector<std::string> hosts;
  for (int row = 0; row < rows->size(); ++row) {
    hosts.push_back(rows->text(row, 0));
  }
  return hosts;
}

Result<std::vector<DueDelivery>> find_due_deliveries(Connection& connection, const DueQuery& query) {
  std::vector<DueDelivery> due;
  if (query.limit == 0) {
    return due;
  }
  // Claims one receiver's oldest due deliveries: rows another node is claiming right
  // now are skipped, not waited for, and the claim moves next_attempt_at past the
  // attempt, so no other node reads them as due until it is recorded or expires.
  // Skipped ids (this sender's own attempts, whose claims are live and so are not
  // normally due) are dropped after the claim, which then only extends their claim.
  Result<Rows> rows = connection.query(
      "WITH due AS ("
      "  SELECT seq, next_attempt_at AS due_at FROM webhook_deliveries"
      "  WHERE state = 'pending' AND host = $2 AND next_attempt_at <= $1"
      "  ORDER BY next_attempt_at, seq LIMIT $3 FOR UPDATE SKIP LOCKED),"
      " claimed AS ("
      "  UPDATE webhook_deliveries w SET claimed_by = $4, next_attempt_at = $5"
      "  FROM due WHERE w.seq = due.seq RETURNING w.*, due.due_at)"
      "SELECT d.id, d.version, d.event, d.url, d.host, d.series_attempts, d.created_at, d.job_id, d.status,"
      "       d.previous_status, d.error_code, COALESCE(j.task, ''), COALESCE(j.error, ''),"
      "       COALESCE(j.result_blob, ''), j.started_at, j.finished_at, COALESCE(j.webhook_secret, ''),"
      "       COALESCE(c.webhook_secret, ''), COALESCE(c.webhook_secret_previous, ''),"
      "       c.webhook_secret_previous_until,"
      "       COALESCE(j.dialect = 'task' AND j.webhook_url <> '' AND d.url = j.webhook_url, false),"
      "       COALESCE(j.submit_request_id, ''), COALESCE(d.client_id, ''),"
      "       COALESCE(d.url = c.webhook_url, false), c.webhook_disabled_at IS NOT NULL,"
      "       COALESCE(c.webhook_disabled_reason, '')"
      " FROM claimed d"
      " LEFT JOIN jobs j ON j.id = d.job_id"
      " LEFT JOIN clients c ON c.id = d.client_id"
      " ORDER BY d.due_at, d.seq",
      Params()
          .time(query.now)
          .text(query.host)
          .int64(static_cast<std::int64_t>(query.limit))
          .text(query.claimant)
          .time(query.now + query.claim_for));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  for (int row = 0; row < rows->size(); ++row) {
    const std::string id = rows->text(row, 0);
    if (std::find(query.skip_ids.begin(), query.skip_ids.end(), id) != query.skip_ids.end()) {
      continue;
    }
    Result<DueDelivery> delivery = read_due(*rows, row);
    if (!delivery) {
      return fail(std::move(delivery.error()));
    }
    due.push_back(std::move(*delivery));
  }
  return due;
}

Result<std::optional<TimePoint>> earliest_delivery_after(Connection& connection, TimePoint after) {
  Result<Rows> rows = connection.query(
      "SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at > $1",
      Params().time(after));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->empty()) {
    return std::optional<TimePoint>();
  }
  return rows->optional_time(0, 0);
}

Result<std::vector<DeliveryRecord>> find_job_deliveries(Connection& connection, const std::string& job_id,
                                                        const std::string& client_id) {
  static const std::string kSql = std::string("SELECT ") + kRecordColumns +
                                  " FROM webhook_deliveries WHERE job_id = $1 AND client_id = $2 ORDER BY seq";
  Result<Rows> rows = connection.query(kSql, Params().text(job_id).text(client_id));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  return read_records(connection, *rows);
}

Result<std::int64_t> count_pending(Connection& connection) {
  Result<Rows> rows = connection.query("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'");
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  return rows->empty() ? 0 : rows->int64(0, 0);
}

Status record_delivery_attempts(Connection& connection, const std::vector<AttemptRecord>& attempts) {
  for (const AttemptRecord& attempt : attempts) {
    if (Status recorded = record_one(connection, attempt); !recorded) {
      return recorded;
    }
  }
  return {};
}

Result<DeliveryRecord> redeliver_delivery(Connection& connection, const std::string& delivery_id,
                                          const std::string& client_id, TimePoint now) {
  // A pending delivery keeps its place in the retry series and is merely due now; a
  // final one starts a new series with the full retry budget. One a sender has
  // claimed stays claimed (its attempt's record makes it due), unless the claim expired.
  static const std::string kSql =
      std::string(
          "UPDATE webhook_deliveries SET version = version + 1, finished_at = NULL,"
          "  next_attempt_at = CASE WHEN " + std::string(kLiveClaim) + " THEN next_attempt_at ELSE $3 END,"
          "  claimed_by = CASE WHEN " + kLiveClaim + " THEN claimed_by ELSE NULL END,"
          "  series_attempts = CASE WHEN state = 'pending' THEN series_attempts ELSE 0 END, state = 'pending'"
          " WHERE id = $1 AND client_id = $2 RETURNING ") +
      kRecordColumns;
  Result<Rows> rows = connection.query(kSql, Params().text(delivery_id).text(client_id).time(now));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->empty()) {
    return fail(Error::not_found("delivery not found"));
  }
  Result<std::vector<DeliveryRecord>> records = read_records(connection, *rows);
  if (!records) {
    return fail(std::move(records.error()));
  }
  return std::move(records->front());
}

Result<std::int64_t> prune_finished_deliveries(Connection& connection, TimePoint before, int limit) {
  Result<Rows> rows = connection.query(
      "DELETE FROM webhook_deliveries WHERE seq IN ("
      "  SELECT seq FROM webhook_deliveries WHERE finished_at IS NOT NULL AND finished_at < $1"
      "  LIMIT $2 FOR UPDATE SKIP LOCKED)",
      Params().time(before).int64(limit));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  return rows->affected();
}

}  // namespace genq::postgres
