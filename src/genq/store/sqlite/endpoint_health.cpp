#include "genq/store/sqlite/endpoint_health.hpp"

#include <optional>
#include <string>

#include "genq/store/sqlite/delivery_ops.hpp"
#include "genq/store/sqlite/sqlite_statement.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::sqlite {
namespace {

using store_rules::AccountEndpoint;

Result<std::optional<AccountEndpoint>> read_endpoint(Connection& connection, const std::string& client_id) {
  Result<Statement> statement = connection.prepare(
      "SELECT webhook_url, webhook_failing_since, webhook_failures, webhook_disabled_at, webhook_disabled_reason"
      " FROM clients WHERE id = ?1");
  if (!statement) return fail(std::move(statement.error()));
  statement->bind_text(1, client_id);
  Result<bool> row = statement->step();
  if (!row) return fail(std::move(row.error()));
  if (!*row) return std::optional<AccountEndpoint>();
  AccountEndpoint endpoint;
  endpoint.url = statement->column_text(0);
  endpoint.health.failing_since = statement->column_optional_time(1);
  endpoint.health.consecutive_failures = statement->column_int64(2);
  endpoint.health.disabled_at = statement->column_optional_time(3);
  endpoint.health.disabled_reason = statement->column_text(4);
  return endpoint;
}

std::optional<std::int64_t> unix_ms(std::optional<TimePoint> t) {
  return t ? std::optional<std::int64_t>(to_unix_ms(*t)) : std::nullopt;
}

Status write_health(Connection& connection, const std::string& client_id, const WebhookHealth& health) {
  Result<Statement> statement = connection.prepare(
      "UPDATE clients SET webhook_failing_since = ?2, webhook_failures = ?3, webhook_disabled_at = ?4,"
      "  webhook_disabled_reason = ?5 WHERE id = ?1");
  if (!statement) return fail(std::move(statement.error()));
  statement->bind_text(1, client_id)
      .bind_optional_int64(2, unix_ms(health.failing_since))
      .bind_int64(3, health.consecutive_failures)
      .bind_optional_int64(4, unix_ms(health.disabled_at))
      .bind_text(5, health.disabled_reason);
  return statement->run();
}

}  // namespace

Result<std::vector<DisabledEndpoint>> note_endpoint_attempts(Connection& connection,
                                                             const std::vector<EndpointAttempt>& attempts,
                                                             const EndpointRules& rules) {
  return store_rules::apply_endpoint_attempts(
      attempts, rules, [&](const std::string& client_id) { return read_endpoint(connection, client_id); },
      [&](const std::string& client_id, const WebhookHealth& health) {
        return write_health(connection, client_id, health);
      });
}

Result<std::int64_t> recover_account_webhook(Connection& connection, const std::string& client_id, TimePoint since,
                                             TimePoint until, TimePoint now) {
  Result<std::optional<AccountEndpoint>> endpoint = read_endpoint(connection, client_id);
  if (!endpoint) return fail(std::move(endpoint.error()));
  if (!*endpoint) return fail(Error::not_found("client not found"));
  if (Status written = write_health(connection, client_id, WebhookHealth{}); !written) {
    return fail(std::move(written.error()));
  }
  std::vector<std::string> failed;
  {
    Result<Statement> statement = connection.prepare(
        "SELECT id FROM webhook_deliveries WHERE client_id = ?1 AND url = ?2 AND state = 'failed'"
        " AND created_at >= ?3 AND created_at < ?4 ORDER BY seq");
    if (!statement) return fail(std::move(statement.error()));
    statement->bind_text(1, client_id)
        .bind_text(2, (*endpoint)->url)
        .bind_int64(3, to_unix_ms(since))
        .bind_int64(4, to_unix_ms(until));
    while (true) {
      Result<bool> row = statement->step();
      if (!row) return fail(std::move(row.error()));
      if (!*row) break;
      failed.push_back(statement->column_text(0));
    }
  }
  for (const std::string& id : failed) {
    if (Result<DeliveryRecord> again = redeliver_delivery(connection, id, client_id, now); !again) {
      return fail(std::move(again.error()));
    }
  }
  return static_cast<std::int64_t>(failed.size());
}

}  // namespace genq::sqlite
