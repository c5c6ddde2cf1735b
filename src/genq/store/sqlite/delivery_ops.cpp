#include "genq/store/sqlite/delivery_ops.hpp"
#include "genq/store/sealed_secrets.hpp"

#include <algorithm>

namespace genq::sqlite {
namespace {

Result<JobStatus> status_column(const Statement& row, int column, const std::string& delivery_id) {
  const std::string text = row.column_text(column);
  std::optional<JobStatus> status = parse_job_status(text);
  if (!status) {
    return fail(Error::internal("delivery " + delivery_id + " reports unknown status '" + text + "'"));
  }
  return *status;
}

Result<DueDelivery> read_due(const Statement& row) {
  DueDelivery d;
  d.id = row.column_text(0);
  d.version = row.column_int64(1);
  d.event = row.column_text(2);
  d.url = row.column_text(3);
  d.host = row.column_text(4);
  d.series_attempts = static_cast<int>(row.column_int64(5));
  d.occurred_at = from_unix_ms(row.column_int64(6));
  d.job_id = row.column_text(7);
  Result<JobStatus> status = status_column(row, 8, d.id);
  if (!status) {
    return fail(std::move(status.error()));
  }
  Result<JobStatus> previous = status_column(row, 9, d.id);
  if (!previous) {
    return fail(std::move(previous.error()));
  }
  d.status = *status;
  d.previous_status = *previous;
  d.error_code = std::string(deapi_error_code(row.column_text(10)));
  d.task = row.column_text(11);
  d.error = row.column_text(12);
  d.result_blob = row.column_text(13);
  d.started_at = row.column_optional_time(14);
  d.finished_at = row.column_optional_time(15);
  d.job_secret = open_secret(row.column_text(16));
  d.account_secret = open_secret(row.column_text(17));
  d.previous_account_secret = open_secret(row.column_text(18));
  d.previous_secret_until = row.column_optional_time(19);
  d.callback = row.column_int64(20) != 0;
  d.submit_request_id = row.column_text(21);
  d.client_id = row.column_text(22);
  d.account_endpoint = !d.callback && row.column_int64(23) != 0;
  d.endpoint_disabled = d.account_endpoint && row.column_int64(24) != 0;
  d.endpoint_disabled_reason = row.column_text(25);
  return d;
}

constexpr const char* kRecordColumns =
    "seq, id, job_id, event, url, state, attempts, created_at, next_attempt_at, finished_at";

// Reads a delivery (without its log) from a row of kRecordColumns; returns its seq too.
Result<std::pair<std::int64_t, DeliveryRecord>> read_record(const Statement& row) {
  DeliveryRecord record;
  const std::int64_t seq = row.column_int64(0);
  record.id = row.column_text(1);
  record.job_id = row.column_text(2);
  record.event = row.column_text(3);
  record.url = row.column_text(4);
  const std::string state = row.column_text(5);
  std::optional<DeliveryState> parsed = parse_delivery_state(state);
  if (!parsed) {
    return fail(Error::internal("delivery " + record.id + " has unknown state '" + state + "'"));
  }
  record.state = *parsed;
  record.attempts = static_cast<int>(row.column_int64(6));
  record.created_at = from_unix_ms(row.column_int64(7));
  record.next_attempt_at = row.column_optional_time(8);
  record.finished_at = row.column_optional_time(9);
  return std::pair{seq, std::move(record)};
}

Status read_log(Connection& connection, std::int64_t seq, DeliveryRecord& record) {
  Result<Statement> statement = connection.prepare(
      "SELECT number, started_at, latency_ms, http_status, error, next_retry_at FROM webhook_attempts"
      " WHERE delivery_seq = ?1 ORDER BY number");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_int64(1, seq);
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return {};
    }
    DeliveryAttempt attempt;
    attempt.number = static_cast<int>(statement->column_int64(0));
    attempt.started_at = from_unix_ms(statement->column_int64(1));
    attempt.latency = Millis(statement->column_int64(2));
    if (std::optional<std::int64_t> status = statement->column_optional_int64(3)) {
      attempt.http_status = static_cast<int>(*status);
    }
    attempt.error = statement->column_text(4);
    attempt.next_retry_at = statement->column_optional_time(5);
    record.log.push_back(std::move(attempt));
  }
}

// Steps `statement` (SELECT kRecordColumns ...) to the end and reads every delivery
// with its log. The log is read after the rows: one statement at a time per SQL text.
Result<std::vector<DeliveryRecord>> step_records(Connection& connection, Statement& statement) {
  std::vector<std::pair<std::int64_t, DeliveryRecord>> rows;
  while (true) {
    Result<bool> row = statement.step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    Result<std::pair<std::int64_t, DeliveryRecord>> record = read_record(statement);
    if (!record) {
      return fail(std::move(record.error()));
    }
    rows.push_back(std::move(*record));
  }
  std::vector<DeliveryRecord> records;
  records.reserve(rows.size());
  for (auto& [seq, record] : rows) {
    if (Status logged = read_log(connection, seq, record); !logged) {
      return fail(std::move(logged.error()));
    }
    records.push_back(std::move(record));
  }
  return records;
}

Status record_one(Connection& connection, const AttemptRecord& attempt) {
  // The number comes from the row, not the caller: a redelivery may have sent
  // another attempt of the same delivery meanwhile.
  Result<Statement> log = connection.prepare(
      "INSERT INTO webhook_attempts (delivery_seq, number, started_at, latency_ms, http_status, error,"
      "                              next_retry_at)"
      " SELECT seq, attempts + 1, ?2, ?3, ?4, ?5, ?6 FROM webhook_deliveries WHERE id = ?1");
  if (!log) {
    return fail(std::move(log.error()));
  }
  log->bind_text(1, attempt.delivery_id)
      .bind_int64(2, to_unix_ms(attempt.started_at))
      .bind_int64(3, attempt.latency.count())
      .bind_optional_int64(4, attempt.http_status ? std::optional<std::int64_t>(*attempt.http_status)
                                                  : std::nullopt)
      .bind_text(5, attempt.error)
      .bind_optional_int64(6, attempt.state == DeliveryState::Pending && attempt.next_attempt_at
                                  ? std::optional<std::int64_t>(to_unix_ms(*attempt.next_attempt_at))
                                  : std::nullopt);
  if (Status logged = log->run(); !logged) {
    return logged;
  }
  if (connection.changes() == 0) {
    return {};  // pruned meanwhile: nothing left to update
  }
  // Only the attempt's own claim decides what follows. With a stale version (a
  // redelivery came while it was in flight) the redelivery's attempt is due at once;
  // a claim another sender took over after this one expired is left to that sender.
  Result<Statement> update = connection.prepare(
      "UPDATE webhook_deliveries SET attempts = attempts + 1,"
      "  series_attempts = CASE WHEN version = ?2 AND claimed_by = ?6 THEN series_attempts + 1"
      "    ELSE series_attempts END,"
      "  state = CASE WHEN version = ?2 AND claimed_by = ?6 THEN ?3 ELSE state END,"
      "  next_attempt_at = CASE WHEN version = ?2 AND claimed_by = ?6 THEN ?4"
      "    WHEN claimed_by = ?6 THEN MIN(next_attempt_at, ?7) ELSE next_attempt_at END,"
      "  finished_at = CASE WHEN version = ?2 AND claimed_by = ?6 THEN ?5 ELSE finished_at END,"
      "  claimed_by = CASE WHEN claimed_by = ?6 THEN NULL ELSE claimed_by END"
      " WHERE id = ?1");
  if (!update) {
    return fail(std::move(update.error()));
  }
  const bool pending = attempt.state == DeliveryState::Pending;
  const TimePoint finished = attempt.started_at + attempt.latency;
  update->bind_text(1, attempt.delivery_id)
      .bind_int64(2, attempt.version)
      .bind_text(3, to_string(attempt.state))
      .bind_optional_int64(4, pending ? std::optional<std::int64_t>(to_unix_ms(
                                            attempt.next_attempt_at.value_or(finished)))
                                      : std::nullopt)
      .bind_optional_int64(5, pending ? std::nullopt : std::optional<std::int64_t>(to_unix_ms(finished)))
      .bind_text(6, attempt.claimant)
      .bind_int64(7, to_unix_ms(attempt.started_at));
  return update->run();
}

Result<DeliveryRecord> find_client_delivery(Connection& connection, const std::string& delivery_id,
                                            const std::string& client_id) {
  static const std::string kSql = std::string("SELECT ") + kRecordColumns +
                                  " FROM webhook_deliveries WHERE id = ?1 AND client_id = ?2";
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, delivery_id).bind_text(2, client_id);
  Result<std::vector<DeliveryRecord>> records = step_records(connection, *statement);
  if (!records) {
    return fail(std::move(records.error()));
  }
  if (records->empty()) {
    return fail(Error::not_found("delivery not found"));
  }
  return std::move(records->front());
}

}  // namespace

Result<std::vector<std::string>> find_due_hosts(Connection& connection, TimePoint now) {
  // A skip scan over webhook_deliveries_host: each step seeks the next host and its
  // earliest pending delivery, so a receiver with a million deliveries waiting costs
  // one step like any other.
  Result<Statement> statement = connection.prepare(
      "WITH RECURSIVE hosts(host) AS ("
      "  SELECT MIN(host) FROM webhook_deliveries WHERE state = 'pending'"
      "  UNION ALL"
      "  SELECT (SELECT MIN(d.host) FROM webhook_deliveries d WHERE d.state = 'pending' AND d.host > hosts.host)"
      "  FROM hosts WHERE hosts.host IS NOT NULL)"
      " SELECT host FROM hosts WHERE host IS NOT NULL"
      "  AND (SELECT MIN(d.next_attempt_at) FROM webhook_deliveries d"
      "       WHERE d.state = 'pending' AND d.host = hosts.host) <= ?1");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_int64(1, to_unix_ms(now));
  std::vector<std::string> hosts;
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return hosts;
    }
    hosts.push_back(statement->column_text(0));
  }
}

Result<std::vector<DueDelivery>> claim_due_deliveries(Connection& connection, const DueQuery& query) {
  // One receiver's range of webhook_deliveries_host in due order, claimed in the same
  // write transaction (delivery_store.hpp). One node sends from a SQLite file, but the
  // claim keeps both stores alike. Skipped ids (this sender's own attempts, whose
  // claims are live and so are not normally due) are dropped after the claim, which
  // then only extends their claim.
  static const std::string kSql =
      "SELECT d.id, d.version, d.event, d.url, d.host, d.series_attempts, d.created_at, d.job_id, d.status,"
      "       d.previous_status, d.error_code, j.task, j.error, j.result_blob, j.started_at, j.finished_at,"
      "       j.webhook_secret, c.webhook_secret, c.webhook_secret_previous, c.webhook_secret_previous_until,"
      "       j.dialect = 'task' AND j.webhook_url <> '' AND d.url = j.webhook_url, j.submit_request_id,"
      "       d.client_id, COALESCE(d.url = c.webhook_url, 0), c.webhook_disabled_at IS NOT NULL,"
      "       COALESCE(c.webhook_disabled_reason, '')"
      " FROM webhook_deliveries d"
      " LEFT JOIN jobs j ON j.id = d.job_id"
      " LEFT JOIN clients c ON c.id = d.client_id"
      " WHERE d.state = 'pending' AND d.host = ?2 AND d.next_attempt_at <= ?1"
      " ORDER BY d.next_attempt_at, d.seq LIMIT ?3";
  std::vector<DueDelivery> due;
  if (query.limit == 0) {
    return due;
  }
  std::vector<DueDelivery> read;
  {
    Result<Statement> statement = connection.prepare(kSql);
    if (!statement) {
      return fail(std::move(statement.error()));
    }
    statement->bind_int64(1, to_unix_ms(query.now))
        .bind_text(2, query.host)
        .bind_int64(3, static_cast<std::int64_t>(query.limit));
    while (true) {
      Result<bool> row = statement->step();
      if (!row) {
        return fail(std::move(row.error()));
      }
      if (!*row) {
        break;
      }
      Result<DueDelivery> delivery = read_due(*statement);
      if (!delivery) {
        return fail(std::move(delivery.error()));
      }
      read.push_back(std::move(*delivery));
    }
  }  // the statement is reset before the claims reuse the connection
  for (DueDelivery& delivery : read) {
    Result<Statement> claim =
        connection.prepare("UPDATE webhook_deliveries SET claimed_by = ?2, next_attempt_at = ?3 WHERE id = ?1");
    if (!claim) {
      return fail(std::move(claim.error()));
    }
    claim->bind_text(1, delivery.id).bind_text(2, query.claimant).bind_int64(3, to_unix_ms(query.now + query.claim_for));
    if (Status claimed = claim->run(); !claimed) {
      return fail(std::move(claimed.error()));
    }
    if (std::find(query.skip_ids.begin(), query.skip_ids.end(), delivery.id) == query.skip_ids.end()) {
      due.push_back(std::move(delivery));
    }
  }
  return due;
}

Result<std::optional<TimePoint>> earliest_delivery_after(Connection& connection, TimePoint after) {
  Result<Statement> statement = connection.prepare(
      "SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at > ?1");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_int64(1, to_unix_ms(after));
  Result<bool> row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<TimePoint>();
  }
  return statement->column_optional_time(0);
}

Result<std::vector<DeliveryRecord>> find_job_deliveries(Connection& connection, const std::string& job_id,
                                                        const std::string& client_id) {
  static const std::string kSql = std::string("SELECT ") + kRecordColumns +
                                  " FROM webhook_deliveries WHERE job_id = ?1 AND client_id = ?2 ORDER BY seq";
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, job_id).bind_text(2, client_id);
  return step_records(connection, *statement);
}

Result<std::int64_t> count_pending(Connection& connection) {
  Result<Statement> statement =
      connection.prepare("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  Result<bool> row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  return *row ? statement->column_int64(0) : 0;
}

Status record_delivery_attempts(Connection& connection, const std::vector<AttemptRecord>& attempts) {
  for (const AttemptRecord& attempt : attempts) {
    if (Status recorded = record_one(connection, attempt); !recorded) {
      return recorded;
    }
  }
  return {};
}

// A claim that still holds at ?3 (now).
constexpr const char* kLiveClaim = "(state = 'pending' AND claimed_by IS NOT NULL AND next_attempt_at > ?3)";

Result<DeliveryRecord> redeliver_delivery(Connection& connection, const std::string& delivery_id,
                                          const std::string& client_id, TimePoint now) {
  // A pending delivery keeps its place in the retry series and is merely due now; a
  // final one starts a new series with the full retry budget. One a sender has
  // claimed stays claimed (its attempt's record makes it due), unless the claim expired.
  static const std::string kSql =
      std::string("UPDATE webhook_deliveries SET version = version + 1, finished_at = NULL,"
                  "  next_attempt_at = CASE WHEN ") +
      kLiveClaim + " THEN next_attempt_at ELSE ?3 END,  claimed_by = CASE WHEN " + kLiveClaim +
      " THEN claimed_by ELSE NULL END,"
      "  series_attempts = CASE WHEN state = 'pending' THEN series_attempts ELSE 0 END, state = 'pending'"
      " WHERE id = ?1 AND client_id = ?2";
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, delivery_id).bind_text(2, client_id).bind_int64(3, to_unix_ms(now));
  if (Status updated = statement->run(); !updated) {
    return fail(std::move(updated.error()));
  }
  if (connection.changes() == 0) {
    return fail(Error::not_found("delivery not found"));
  }
  return find_client_delivery(connection, delivery_id, client_id);
}

Result<std::int64_t> prune_finished_deliveries(Connection& connection, TimePoint before) {
  Result<Statement> attempts = connection.prepare(
      "DELETE FROM webhook_attempts WHERE delivery_seq IN"
      " (SELECT seq FROM webhook_deliveries WHERE finished_at IS NOT NULL AND finished_at < ?1)");
  if (!attempts) {
    return fail(std::move(attempts.error()));
  }
  attempts->bind_int64(1, to_unix_ms(before));
  if (Status deleted = attempts->run(); !deleted) {
    return fail(std::move(deleted.error()));
  }
  Result<Statement> deliveries =
      connection.prepare("DELETE FROM webhook_deliveries WHERE finished_at IS NOT NULL AND finished_at < ?1");
  if (!deliveries) {
    return fail(std::move(deliveries.error()));
  }
  deliveries->bind_int64(1, to_unix_ms(before));
  if (Status deleted = deliveries->run(); !deleted) {
    return fail(std::move(deleted.error()));
  }
  return connection.changes();
}

}  // namespace genq::sqlite
