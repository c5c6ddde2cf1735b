#pragma once
// The genq subcommands, each a function from parsed options to an exit code.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "genq/config/serve_config.hpp"

namespace genq::app {

int serve(const ServeConfig& config);

// Where `genq admin` finds the accounts: the --store URL when given, else the SQLite
// database of the --data directory.
struct AdminStore {
  std::string data_dir;
  std::string store_url;
};
// A client's grants as given on the command line (docs/api.md, "Priorities and fair
// share"); absent = the default (create-client) or unchanged (set-client-limits).
struct LimitOptions {
  std::optional<std::string> max_priority;  // low | normal | high
  std::optional<std::int64_t> max_queued;   // 0 = no cap
  std::optional<std::int64_t> max_running;  // 0 = no cap
};
int admin_create_client(const AdminStore& where, const std::string& name, const LimitOptions& limits);
// Prints {client_id, max_priority, max_queued, max_running}.
int admin_set_client_limits(const AdminStore& where, const std::string& client_id, const LimitOptions& limits);
int admin_create_worker_token(const AdminStore& where, const std::vector<std::string>& models,
                              const std::string& name);
// Balances (docs/api.md, "Balance and usage"): print {client_id, balance, unlimited}.
int admin_top_up(const AdminStore& where, const std::string& client_id, double amount, const std::string& note);
int admin_set_unlimited(const AdminStore& where, const std::string& client_id, bool unlimited);
// Prints {admin_token}: the token the servers on this store accept on the admin API
// (GENQ_ADMIN_TOKEN when set). With --store, the cluster's, shared by every node.
int admin_show_admin_token(const AdminStore& where);
// Credentials' lifecycle: each prints one JSON line, and exits 1 (with the reason on
// stderr) for an unknown client, key or token.
int admin_add_api_key(const AdminStore& where, const std::string& client_id);
int admin_list_api_keys(const AdminStore& where, const std::string& client_id);
int admin_revoke_api_key(const AdminStore& where, const std::string& client_id, const std::string& key_id);
int admin_list_worker_tokens(const AdminStore& where);
int admin_set_worker_token_disabled(const AdminStore& where, const std::string& token_id, bool disabled);
int admin_delete_worker_token(const AdminStore& where, const std::string& token_id);
// Parses argv and runs the chosen subcommand.
int main(int argc, char** argv);

}  // namespace genq::app
