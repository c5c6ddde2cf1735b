// Clients, API keys and worker tokens.
#include "genq/store/postgres/account_ops.hpp"

#include "genq/store/store_rules.hpp"
#include "genq/store/sealed_secrets.hpp"

namespace genq::postgres {
namespace {

using store_rules::parse_json_array;
using store_rules::to_json_array;

constexpr const char* kClientColumns =
    "c.id, c.name, c.webhook_secret, c.webhook_url, c.webhook_events, c.disabled, c.created_at,"
    " c.webhook_secret_previous, c.webhook_secret_previous_until, c.max_priority, c.max_queued, c.max_running,"
    " c.webhook_failing_since, c.webhook_failures, c.webhook_disabled_at, c.webhook_disabled_reason";

Result<Client> read_client(const Rows& rows, int row) {
  Client client;
  client.id = rows.text(row, 0);
  client.name = rows.text(row, 1);
  client.webhook_secret = open_secret(rows.text(row, 2));
  client.webhook_url = rows.text(row, 3);
  Result<std::vector<std::string>> events = parse_json_array(rows.text(row, 4), "webhook_events of " + client.id);
  if (!events) {
    return fail(std::move(events.error()));
  }
  client.webhook_events = std::move(*events);
  client.disabled = rows.boolean(row, 5);
  client.created_at = rows.time(row, 6);
  client.previous_webhook_secret = open_secret(rows.text(row, 7));
  client.previous_secret_until = rows.optional_time(row, 8);
  client.limits.max_priority = priority_from_int(rows.int64(row, 9));
  client.limits.max_queued = rows.int64(row, 10);
  client.limits.max_running = rows.int64(row, 11);
  client.webhook_health.failing_since = rows.optional_time(row, 12);
  client.webhook_health.consecutive_failures = rows.int64(row, 13);
  client.webhook_health.disabled_at = rows.optional_time(row, 14);
  client.webhook_health.disabled_reason = rows.text(row, 15);
  return client;
}

Result<Client> first_client(Result<Rows> rows) {
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->empty()) {
    return fail(Error::not_found("client not found"));
  }
  return read_client(*rows, 0);
}

// Runs an UPDATE of one client row; NotFound when no row matched.
Status update_client(Connection& connection, const std::string& sql, const Params& params) {
  Result<Rows> rows = connection.query(sql, params);
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->affected() == 0) {
    return fail(Error::not_found("client not found"));
  }
  return {};
}

}  // namespace

Result<Client> insert_client(Connection& connection, const Client& client, const std::string& api_key_hash,
                             TimePoint now) {
  if (client.id.empty()) {
    return fail(Error::invalid("client id is required"));
  }
  Client stored = client;
  if (stored.created_at == TimePoint{}) {
    stored.created_at = now;
  }
  Result<Rows> inserted = connection.query(
      "INSERT INTO clients (id, name, webhook_secret, webhook_url, webhook_events, disabled, created_at,"
      "                     max_priority, max_queued, max_running)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING",
      Params()
          .text(stored.id)
          .text(stored.name)
          .text(seal_secret(stored.webhook_secret))
          .text(stored.webhook_url)
          .text(to_json_array(stored.webhook_events))
          .boolean(stored.disabled)
          .time(stored.created_at)
          .int64(static_cast<std::int64_t>(stored.limits.max_priority))
          .int64(stored.limits.max_queued)
          .int64(stored.limits.max_running));
  if (!inserted) {
    return fail(std::move(inserted.error()));
  }
  if (inserted->affected() == 0) {
    return fail(Error::conflict("client " + stored.id + " already exists"));
  }
  if (!api_key_hash.empty()) {
    if (Status added = insert_api_key(connection, stored.id, api_key_hash, now); !added) {
      return fail(std::move(added.error()));
    }
  }
  return stored;
}

Status insert_api_key(Connection& connection, const std::string& client_id, const std::string& api_key_hash,
                      TimePoint now) {
  if (api_key_hash.empty()) {
    return fail(Error::invalid("api key hash is required"));
  }
  // Unknown client: nothing inserted; duplicate hash: a unique violation (Conflict).
  Result<Rows> inserted = connection.query(
      "INSERT INTO api_keys (hash, client_id, created_at) SELECT $1, id, $3 FROM clients WHERE id = $2",
      Params().text(api_key_hash).text(client_id).time(now));
  if (!inserted) {
    if (inserted.error().kind == ErrorKind::Conflict) {
      return fail(Error::conflict("api key already exists"));
    }
    return fail(std::move(inserted.error()));
  }
  if (inserted->affected() == 0) {
    return fail(Error::not_found("client not found"));
  }
  return {};
}

Status update_client_disabled(Connection& connection, const std::string& client_id, bool disabled) {
  return update_client(connection, "UPDATE clients SET disabled = $2 WHERE id = $1",
                       Params().text(client_id).boolean(disabled));
}

Status update_client_limits(Connection& connection, const std::string& client_id, const ClientLimits& limits) {
  return update_client(
      connection, "UPDATE clients SET max_priority = $2, max_queued = $3, max_running = $4 WHERE id = $1",
      Params()
          .text(client_id)
          .int64(static_cast<std::int64_t>(limits.max_priority))
          .int64(limits.max_queued)
          .int64(limits.max_running));
}

Status update_account_webhook(Connection& connection, const std::string& client_id, const std::string& url,
                              const std::vector<std::string>& events) {
  return update_client(connection, "UPDATE clients SET webhook_url = $2, webhook_events = $3, webhook_failing_since = NULL, webhook_failures = 0, webhook_disabled_at = NULL, webhook_disabled_reason = ''"
                       " WHERE id = $1",
                       Params().text(client_id).text(url).text(to_json_array(events)));
}

Result<Client> rotate_client_webhook_secret(Connection& connection, const std::string& client_id,
                                            const std::string& new_secret, TimePoint previous_until) {
  if (new_secret.empty()) {
    return fail(Error::invalid("webhook secret is required"));
  }
  // A second rotation inside the window drops the oldest secret: at most two sign.
  static const std::string kSql = std::string(
                                      "UPDATE clients c SET webhook_secret_previous = c.webhook_secret,"
                                      "  webhook_secret = $2, webhook_secret_previous_until = $3 WHERE c.id = $1"
                                      " RETURNING ") +
                                  kClientColumns;
  return first_client(connection.query(kSql, Params().text(client_id).text(seal_secret(new_secret)).time(previous_until)));
}

Result<WorkerToken> insert_worker_token(Connection& connection, const WorkerToken& token, const std::string& token_hash,
                                        TimePoint now) {
  if (token.id.empty() || token_hash.empty()) {
    return fail(Error::invalid("worker token id and hash are required"));
  }
  Result<Rows> inserted = connection.query(
      "INSERT INTO worker_tokens (hash, id, name, models, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6)"
      " ON CONFLICT DO NOTHING",
      Params()
          .text(token_hash)
          .text(token.id)
          .text(token.name)
          .text(to_json_array(token.models))
          .boolean(token.disabled)
          .time(now));
  if (!inserted) {
    return fail(std::move(inserted.error()));
  }
  if (inserted->affected() == 0) {
    return fail(Error::conflict("worker token " + token.id + " or its hash already exists"));
  }
  WorkerToken stored = token;
  stored.created_at = now;
  return stored;
}

Result<Client> find_client_by_key_hash(Connection& connection, const std::string& api_key_hash) {
  static const std::string kSql = std::string("SELECT ") + kClientColumns +
                                  " FROM api_keys k JOIN clients c ON c.id = k.client_id WHERE k.hash = $1";
  return first_client(connection.query(kSql, Params().text(api_key_hash)));
}

Result<Client> find_client(Connection& connection, const std::string& client_id) {
  static const std::string kSql = std::string("SELECT ") + kClientColumns + " FROM clients c WHERE c.id = $1";
  return first_client(connection.query(kSql, Params().text(client_id)));
}

Result<std::vector<Client>> all_clients(Connection& connection) {
  static const std::string kSql =
      std::string("SELECT ") + kClientColumns + " FROM clients c ORDER BY c.created_at, c.id";
  Result<Rows> rows = connection.query(kSql);
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  std::vector<Client> clients;
  for (int row = 0; row < rows->size(); ++row) {
    Result<Client> client = read_client(*rows, row);
    if (!client) {
      return fail(std::move(client.error()));
    }
    clients.push_back(std::move(*client));
  }
  return clients;
}

Result<WorkerToken> find_enabled_worker_token(Connection& connection, const std::string& token_hash) {
  Result<Rows> rows =
      connection.query("SELECT id, name, models, disabled FROM worker_tokens WHERE hash = $1 AND NOT disabled",
                       Params().text(token_hash));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->empty()) {
    return fail(Error::not_found("worker token not found"));
  }
  WorkerToken token;
  token.id = rows->text(0, 0);
  token.name = rows->text(0, 1);
  Result<std::vector<std::string>> models = parse_json_array(rows->text(0, 2), "models of " + token.id);
  if (!models) {
    return fail(std::move(models.error()));
  }
  token.models = std::move(*models);
  token.disabled = rows->boolean(0, 3);
  return token;
}

Result<std::vector<WorkerToken>> all_worker_tokens(Connection& connection) {
  Result<Rows> rows =
      connection.query("SELECT id, name, models, disabled, created_at FROM worker_tokens ORDER BY created_at, id");
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  std::vector<WorkerToken> tokens;
  for (int row = 0; row < rows->size(); ++row) {
    WorkerToken token;
    token.id = rows->text(row, 0);
    token.name = rows->text(row, 1);
    Result<std::vector<std::string>> models = parse_json_array(rows->text(row, 2), "models of " + token.id);
    if (!models) {
      return fail(std::move(models.error()));
    }
    token.models = std::move(*models);
    token.disabled = rows->boolean(row, 3);
    token.created_at = rows->time(row, 4);
    tokens.push_back(std::move(token));
  }
  return tokens;
}

Result<std::vector<ApiKeyInfo>> client_api_keys(Connection& connection, const std::string& client_id) {
  Result<Rows> rows = connection.query(
      "SELECT k.hash, k.created_at FROM clients c LEFT JOIN api_keys k ON k.client_id = c.id"
      " WHERE c.id = $1 ORDER BY k.created_at, k.hash",
      Params().text(client_id));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->size() == 0) {
    return fail(Error::not_found("client not found"));
  }
  std::vector<ApiKeyInfo> keys;
  for (int row = 0; row < rows->size(); ++row) {
    if (rows->is_null(row, 0)) continue;  // a client whose every key was revoked
    keys.push_back({store_rules::api_key_id(rows->text(row, 0)), rows->time(row, 1)});
  }
  return keys;
}

namespace {

Status change_one_row(Connection& connection, const std::string& sql, const Params& params, const char* what) {
  Result<Rows> rows = connection.query(sql, params);
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->affected() == 0) {
    return fail(Error::not_found(std::string(what) + " not found"));
  }
  return {};
}

}  // namespace

Status delete_api_key(Connection& connection, const std::string& client_id, const std::string& key_id) {
  const std::string prefix = store_rules::api_key_hash_prefix(key_id);
  if (prefix.empty()) {
    return fail(Error::not_found("API key not found"));
  }
  return change_one_row(connection, "DELETE FROM api_keys WHERE client_id = $1 AND left(hash, $3) = $2",
                        Params().text(client_id).text(prefix).int64(static_cast<std::int64_t>(prefix.size())),
                        "API key");
}

Status update_worker_token_disabled(Connection& connection, const std::string& token_id, bool disabled) {
  return change_one_row(connection, "UPDATE worker_tokens SET disabled = $2 WHERE id = $1",
                        Params().text(token_id).boolean(disabled), "worker token");
}

Status delete_worker_token(Connection& connection, const std::string& token_id) {
  return change_one_row(connection, "DELETE FROM worker_tokens WHERE id = $1", Params().text(token_id),
                        "worker token");
}

}  // namespace genq::postgres
