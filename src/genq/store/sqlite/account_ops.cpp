#include "genq/store/sqlite/account_ops.hpp"

#include "genq/store/store_rules.hpp"
#include "genq/store/sealed_secrets.hpp"

namespace genq::sqlite {
namespace {

constexpr const char* kClientColumns =
    "c.id, c.name, c.webhook_secret, c.webhook_url, c.webhook_events, c.disabled, c.created_at,"
    " c.webhook_secret_previous, c.webhook_secret_previous_until, c.max_priority, c.max_queued, c.max_running,"
    " c.webhook_failing_since, c.webhook_failures, c.webhook_disabled_at, c.webhook_disabled_reason";

using store_rules::parse_json_array;
using store_rules::to_json_array;

// Reads a client from a row whose first columns are kClientColumns.
Result<Client> read_client(const Statement& row) {
  Client client;
  client.id = row.column_text(0);
  client.name = row.column_text(1);
  client.webhook_secret = open_secret(row.column_text(2));
  client.webhook_url = row.column_text(3);
  Result<std::vector<std::string>> events =
      parse_json_array(row.column_text(4), "webhook_events of " + client.id);
  if (!events) {
    return fail(std::move(events.error()));
  }
  client.webhook_events = std::move(*events);
  client.disabled = row.column_int64(5) != 0;
  client.created_at = from_unix_ms(row.column_int64(6));
  client.previous_webhook_secret = open_secret(row.column_text(7));
  client.previous_secret_until = row.column_optional_time(8);
  client.limits.max_priority = priority_from_int(row.column_int64(9));
  client.limits.max_queued = row.column_int64(10);
  client.limits.max_running = row.column_int64(11);
  client.webhook_health.failing_since = row.column_optional_time(12);
  client.webhook_health.consecutive_failures = row.column_int64(13);
  client.webhook_health.disabled_at = row.column_optional_time(14);
  client.webhook_health.disabled_reason = row.column_text(15);
  return client;
}

// Steps a client query once; NotFound when there is no row.
Result<Client> step_client(Statement& statement) {
  Result<bool> row = statement.step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return fail(Error::not_found("client not found"));
  }
  return read_client(statement);
}

// Runs an UPDATE of one client row; NotFound when no row matched.
template <class Bind>
Status update_client(Connection& connection, const std::string& sql, const std::string& client_id,
                     Bind&& bind) {
  Result<Statement> statement = connection.prepare(sql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, client_id);
  bind(*statement);
  if (Status ran = statement->run(); !ran) {
    return ran;
  }
  if (connection.changes() == 0) {
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
  Result<Statement> statement = connection.prepare(
      "INSERT INTO clients (id, name, webhook_secret, webhook_url, webhook_events, disabled, created_at,"
      "                     max_priority, max_queued, max_running)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, stored.id)
      .bind_text(2, stored.name)
      .bind_text(3, seal_secret(stored.webhook_secret))
      .bind_text(4, stored.webhook_url)
      .bind_text(5, to_json_array(stored.webhook_events))
      .bind_int64(6, stored.disabled ? 1 : 0)
      .bind_int64(7, to_unix_ms(stored.created_at))
      .bind_int64(8, static_cast<std::int64_t>(stored.limits.max_priority))
      .bind_int64(9, stored.limits.max_queued)
      .bind_int64(10, stored.limits.max_running);
  if (Status inserted = statement->run(); !inserted) {
    if (inserted.error().kind == ErrorKind::Conflict) {
      return fail(Error::conflict("client " + stored.id + " already exists"));
    }
    return fail(std::move(inserted.error()));
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
  // INSERT ... SELECT inserts nothing for an unknown client, which tells NotFound
  // apart from a duplicate key (a constraint error) without a second query.
  Result<Statement> statement = connection.prepare(
      "INSERT INTO api_keys (hash, client_id, created_at) SELECT ?1, id, ?3 FROM clients WHERE id = ?2");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, api_key_hash).bind_text(2, client_id).bind_int64(3, to_unix_ms(now));
  if (Status inserted = statement->run(); !inserted) {
    if (inserted.error().kind == ErrorKind::Conflict) {
      return fail(Error::conflict("api key already exists"));
    }
    return inserted;
  }
  if (connection.changes() == 0) {
    return fail(Error::not_found("client not found"));
  }
  return {};
}

Status update_client_disabled(Connection& connection, const std::string& client_id, bool disabled) {
  return update_client(connection, "UPDATE clients SET disabled = ?2 WHERE id = ?1", client_id,
                       [&](Statement& statement) { statement.bind_int64(2, disabled ? 1 : 0); });
}

Status update_client_limits(Connection& connection, const std::string& client_id, const ClientLimits& limits) {
  return update_client(connection,
                       "UPDATE clients SET max_priority = ?2, max_queued = ?3, max_running = ?4 WHERE id = ?1",
                       client_id, [&](Statement& statement) {
                         statement.bind_int64(2, static_cast<std::int64_t>(limits.max_priority))
                             .bind_int64(3, limits.max_queued)
                             .bind_int64(4, limits.max_running);
                       });
}

Status update_account_webhook(Connection& connection, const std::string& client_id, const std::string& url,
                              const std::vector<std::string>& events) {
  return update_client(
      connection, "UPDATE clients SET webhook_url = ?2, webhook_events = ?3, webhook_failing_since = NULL, webhook_failures = 0, webhook_disabled_at = NULL, webhook_disabled_reason = ''"
      " WHERE id = ?1", client_id,
      [&](Statement& statement) { statement.bind_text(2, url).bind_text(3, to_json_array(events)); });
}

Result<Client> rotate_client_webhook_secret(Connection& connection, const std::string& client_id,
                                           const std::string& new_secret, TimePoint previous_until) {
  if (new_secret.empty()) {
    return fail(Error::invalid("webhook secret is required"));
  }
  // A second rotation inside the window drops the oldest secret: at most two sign.
  if (Status updated = update_client(
          connection,
          "UPDATE clients SET webhook_secret_previous = webhook_secret, webhook_secret = ?2,"
          "  webhook_secret_previous_until = ?3 WHERE id = ?1",
          client_id,
          [&](Statement& statement) {
            statement.bind_text(2, seal_secret(new_secret)).bind_int64(3, to_unix_ms(previous_until));
          });
      !updated) {
    return fail(std::move(updated.error()));
  }
  return find_client(connection, client_id);
}

Result<WorkerToken> insert_worker_token(Connection& connection, const WorkerToken& token,
                                        const std::string& token_hash, TimePoint now) {
  if (token.id.empty() || token_hash.empty()) {
    return fail(Error::invalid("worker token id and hash are required"));
  }
  Result<Statement> statement = connection.prepare(
      "INSERT INTO worker_tokens (hash, id, name, models, disabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5, "
      "?6)");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, token_hash)
      .bind_text(2, token.id)
      .bind_text(3, token.name)
      .bind_text(4, to_json_array(token.models))
      .bind_int64(5, token.disabled ? 1 : 0)
      .bind_int64(6, to_unix_ms(now));
  if (Status inserted = statement->run(); !inserted) {
    if (inserted.error().kind == ErrorKind::Conflict) {
      return fail(Error::conflict("worker token " + token.id + " or its hash already exists"));
    }
    return fail(std::move(inserted.error()));
  }
  WorkerToken stored = token;
  stored.created_at = now;
  return stored;
}

Result<Client> find_client_by_key_hash(Connection& connection, const std::string& api_key_hash) {
  static const std::string kSql = std::string("SELECT ") + kClientColumns +
                                  " FROM api_keys k JOIN clients c ON c.id = k.client_id"
                                  " WHERE k.hash = ?1";
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, api_key_hash);
  return step_client(*statement);
}

Result<Client> find_client(Connection& connection, const std::string& client_id) {
  static const std::string kSql = std::string("SELECT ") + kClientColumns + " FROM clients c WHERE c.id = ?1";
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, client_id);
  return step_client(*statement);
}

Result<std::vector<Client>> all_clients(Connection& connection) {
  static const std::string kSql =
      std::string("SELECT ") + kClientColumns + " FROM clients c ORDER BY c.created_at, c.id";
  Result<Statement> statement = connection.prepare(kSql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  std::vector<Client> clients;
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return clients;
    }
    Result<Client> client = read_client(*statement);
    if (!client) {
      return fail(std::move(client.error()));
    }
    clients.push_back(std::move(*client));
  }
}

Result<WorkerToken> find_enabled_worker_token(Connection& connection, const std::string& token_hash) {
  Result<Statement> statement = connection.prepare(
      "SELECT id, name, models, disabled FROM worker_tokens WHERE hash = ?1 AND disabled = 0");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, token_hash);
  Result<bool> row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return fail(Error::not_found("worker token not found"));
  }
  WorkerToken token;
  token.id = statement->column_text(0);
  token.name = statement->column_text(1);
  Result<std::vector<std::string>> models =
      parse_json_array(statement->column_text(2), "models of " + token.id);
  if (!models) {
    return fail(std::move(models.error()));
  }
  token.models = std::move(*models);
  token.disabled = statement->column_int64(3) != 0;
  return token;
}

Result<std::vector<WorkerToken>> all_worker_tokens(Connection& connection) {
  Result<Statement> statement =
      connection.prepare("SELECT id, name, models, disabled, created_at FROM worker_tokens ORDER BY created_at, id");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  std::vector<WorkerToken> tokens;
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return tokens;
    }
    WorkerToken token;
    token.id = statement->column_text(0);
    token.name = statement->column_text(1);
    Result<std::vector<std::string>> models = parse_json_array(statement->column_text(2), "models of " + token.id);
    if (!models) {
      return fail(std::move(models.error()));
    }
    token.models = std::move(*models);
    token.disabled = statement->column_int64(3) != 0;
    token.created_at = from_unix_ms(statement->column_int64(4));
    tokens.push_back(std::move(token));
  }
}

Result<std::vector<ApiKeyInfo>> client_api_keys(Connection& connection, const std::string& client_id) {
  Result<Statement> statement = connection.prepare(
      "SELECT k.hash, k.created_at FROM clients c LEFT JOIN api_keys k ON k.client_id = c.id"
      " WHERE c.id = ?1 ORDER BY k.created_at, k.hash");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, client_id);
  std::vector<ApiKeyInfo> keys;
  bool client_found = false;
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      break;
    }
    client_found = true;
    if (!statement->is_null(0)) {  // a client whose every key was revoked: one row of NULLs
      keys.push_back({store_rules::api_key_id(statement->column_text(0)), from_unix_ms(statement->column_int64(1))});
    }
  }
  if (!client_found) {
    return fail(Error::not_found("client not found"));
  }
  return keys;
}

namespace {

// Runs a statement that must change one row; NotFound naming `what` when it changed none.
template <class Bind>
Status change_one_row(Connection& connection, const char* sql, Bind&& bind, const char* what) {
  Result<Statement> statement = connection.prepare(sql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  bind(*statement);
  if (Status ran = statement->run(); !ran) {
    return ran;
  }
  if (connection.changes() == 0) {
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
  return change_one_row(
      connection, "DELETE FROM api_keys WHERE client_id = ?1 AND substr(hash, 1, ?3) = ?2",
      [&](Statement& statement) {
        statement.bind_text(1, client_id).bind_text(2, prefix).bind_int64(3, static_cast<std::int64_t>(prefix.size()));
      },
      "API key");
}

Status update_worker_token_disabled(Connection& connection, const std::string& token_id, bool disabled) {
  return change_one_row(
      connection, "UPDATE worker_tokens SET disabled = ?2 WHERE id = ?1",
      [&](Statement& statement) { statement.bind_text(1, token_id).bind_int64(2, disabled ? 1 : 0); }, "worker token");
}

Status delete_worker_token(Connection& connection, const std::string& token_id) {
  return change_one_row(
      connection, "DELETE FROM worker_tokens WHERE id = ?1",
      [&](Statement& statement) { statement.bind_text(1, token_id); }, "worker token");
}

}  // namespace genq::sqlite
