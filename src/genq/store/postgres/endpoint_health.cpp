#include "genq/store/postgres/endpoint_health.hpp"

#include <optional>
#include <string>

#include "genq/store/postgres/delivery_ops.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::postgres {
namespace {

using store_rules::AccountEndpoint;

// The client's row, locked: attempts recorded by several nodes at once count one by one.
Result<std::optional<AccountEndpoint>> lock_endpoint(Connection& connection, const std::string& client_id) {
  Result<Rows> rows = connection.query(
      "SELECT webhook_url, webhook_failing_since, webhook_failures, webhook_disabled_at, webhook_disabled_reason"
      " FROM clients WHERE id = $1 FOR UPDATE",
      Params().text(client_id));
  if (!rows) return fail(std::move(rows.error()));
  if (rows->empty()) return std::optional<AccountEndpoint>();
  AccountEndpoint endpoint;
  endpoint.url = rows->text(0, 0);
  endpoint.health.failing_since = rows->optional_time(0, 1);
  endpoint.health.consecutive_failures = rows->int64(0, 2);
  endpoint.health.disabled_at = rows->optional_time(0, 3);
  endpoint.health.disabled_reason = rows->text(0, 4);
  return endpoint;
}

Status write_health(Connection& connection, const std::string& client_id, const WebhookHealth& health) {
  Result<Rows> updated = connection.query(
      "UPDATE clients SET webhook_failing_since = $2, webhook_failures = $3, webhook_disabled_at = $4,"
      "  webhook_disabled_reason = $5 WHERE id = $1",
      Params()
          .text(client_id)
          .optional_time(health.failing_since)
          .int64(health.consecutive_failures)
          .optional_time(health.disabled_at)
          .text(health.disabled_reason));
  if (!updated) return fail(std::move(updated.error()));
  return {};
}

}  // namespace

Result<std::vector<DisabledEndpoint>> note_endpoint_attempts(Connection& connection,
                                                             const std::vector<EndpointAttempt>& attempts,
                                                             const EndpointRules& rules) {
  return store_rules::apply_endpoint_attempts(
      attempts, rules, [&](const std::string& client_id) { return lock_endpoint(connection, client_id); },
      [&](const std::string& client_id, const WebhookHealth& health) {
        return write_health(connection, client_id, health);
      });
}

Result<std::int64_t> recover_account_webhook(Connection& connection, const std::string& client_id, TimePoint since,
                                             TimePoint until, TimePoint now) {
  Result<std::optional<AccountEndpoint>> endpoint = lock_endpoint(connection, client_id);
  if (!endpoint) return fail(std::move(endpoint.error()));
  if (!*endpoint) return fail(Error::not_found("client not found"));
  if (Status written = write_health(connection, client_id, WebhookHealth{}); !written) {
    return fail(std::move(written.error()));
  }
  Result<Rows> failed = connection.query(
      "SELECT id FROM webhook_deliveries WHERE client_id = $1 AND url = $2 AND state = 'failed'"
      " AND created_at >= $3 AND created_at < $4 ORDER BY seq",
      Params().text(client_id).text((*endpoint)->url).time(since).time(until));
  if (!failed) return fail(std::move(failed.error()));
  for (int row = 0; row < failed->size(); ++row) {
    if (Result<DeliveryRecord> again = redeliver_delivery(connection, failed->text(row, 0), client_id, now); !again) {
      return fail(std::move(again.error()));
    }
  }
  return static_cast<std::int64_t>(failed->size());
}

}  // namespace genq::postgres
