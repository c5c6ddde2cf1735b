#pragma once
// Account operations of the PostgreSQL store over one connection: clients, API keys,
// worker tokens (account_ops.cpp), balances and the ledger (ledger_ops.cpp).
// Writes require an open transaction.
#include <cstdint>
#include <string>
#include <vector>

#include "genq/store/account_store.hpp"
#include "genq/store/postgres/pg_connection.hpp"

namespace genq::postgres {

Result<Client> insert_client(Connection& connection, const Client& client, const std::string& api_key_hash,
                             TimePoint now);
Status insert_api_key(Connection& connection, const std::string& client_id, const std::string& api_key_hash,
                      TimePoint now);
Status update_client_disabled(Connection& connection, const std::string& client_id, bool disabled);
Status update_client_limits(Connection& connection, const std::string& client_id, const ClientLimits& limits);
Status update_account_webhook(Connection& connection, const std::string& client_id, const std::string& url,
                              const std::vector<std::string>& events);
Result<Client> rotate_client_webhook_secret(Connection& connection, const std::string& client_id,
                                            const std::string& new_secret, TimePoint previous_until);
Result<WorkerToken> insert_worker_token(Connection& connection, const WorkerToken& token, const std::string& token_hash,
                                        TimePoint now);
Result<Client> find_client_by_key_hash(Connection& connection, const std::string& api_key_hash);
Result<Client> find_client(Connection& connection, const std::string& client_id);
Result<std::vector<Client>> all_clients(Connection& connection);
Result<WorkerToken> find_enabled_worker_token(Connection& connection, const std::string& token_hash);
// Every token, oldest first; never the hash.
Result<std::vector<WorkerToken>> all_worker_tokens(Connection& connection);
Result<std::vector<ApiKeyInfo>> client_api_keys(Connection& connection, const std::string& client_id);
Status delete_api_key(Connection& connection, const std::string& client_id, const std::string& key_id);
Status update_worker_token_disabled(Connection& connection, const std::string& token_id, bool disabled);
Status delete_worker_token(Connection& connection, const std::string& token_id);

Result<Balance> read_balance(Connection& connection, const std::string& client_id);
Result<Balance> add_top_up(Connection& connection, const std::string& client_id, std::int64_t amount_nanos,
                           const std::string& note, TimePoint now);
Result<Balance> update_unlimited(Connection& connection, const std::string& client_id, bool unlimited);
Result<LedgerPage> read_ledger(Connection& connection, const std::string& client_id, std::int64_t offset,
                               std::int64_t limit);

}  // namespace genq::postgres
