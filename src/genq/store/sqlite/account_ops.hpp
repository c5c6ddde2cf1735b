#pragma once
// The account operations of the sqlite store (clients, API keys, worker tokens) as
// plain functions over one connection, like job_ops.hpp: SqliteStore supplies the
// writer transaction or a pooled reader. Not thread-safe by themselves.
#include <optional>
#include <string>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/store/account_store.hpp"
#include "genq/store/sqlite/sqlite_connection.hpp"

namespace genq::sqlite {

// --- writes; require an open write transaction ---
// Conflict if the id or the key hash exists. created_at defaults to `now`.
Result<Client> insert_client(Connection& connection, const Client& client, const std::string& api_key_hash,
                             TimePoint now);
Status insert_api_key(Connection& connection, const std::string& client_id, const std::string& api_key_hash,
                      TimePoint now);
Status update_client_disabled(Connection& connection, const std::string& client_id, bool disabled);
Status update_client_limits(Connection& connection, const std::string& client_id, const ClientLimits& limits);
Status update_account_webhook(Connection& connection, const std::string& client_id, const std::string& url,
                              const std::vector<std::string>& events);
// The current secret becomes the previous one, valid until `previous_until`.
Result<Client> rotate_client_webhook_secret(Connection& connection, const std::string& client_id,
                                           const std::string& new_secret, TimePoint previous_until);
Result<WorkerToken> insert_worker_token(Connection& connection, const WorkerToken& token,
                                        const std::string& token_hash, TimePoint now);

// --- reads ---
// NotFound for unknown keys; disabled clients are found, with `disabled` set.
Result<Client> find_client_by_key_hash(Connection& connection, const std::string& api_key_hash);
Result<Client> find_client(Connection& connection, const std::string& client_id);
Result<std::vector<Client>> all_clients(Connection& connection);
// NotFound for unknown and disabled tokens.
Result<WorkerToken> find_enabled_worker_token(Connection& connection, const std::string& token_hash);
// Every token, oldest first; never the hash.
Result<std::vector<WorkerToken>> all_worker_tokens(Connection& connection);
Result<std::vector<ApiKeyInfo>> client_api_keys(Connection& connection, const std::string& client_id);
Status delete_api_key(Connection& connection, const std::string& client_id, const std::string& key_id);
Status update_worker_token_disabled(Connection& connection, const std::string& token_id, bool disabled);
Status delete_worker_token(Connection& connection, const std::string& token_id);

}  // namespace genq::sqlite
