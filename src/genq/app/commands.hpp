#pragma once
// The genq subcommands, each a function from parsed options to an exit code.
#include <string>
#include <vector>

#include "genq/config/serve_config.hpp"

namespace genq::app {

int serve(const ServeConfig& config);
int admin_create_client(const std::string& data_dir, const std::string& name);
int admin_create_worker_token(const std::string& data_dir, const std::vector<std::string>& models,
                              const std::string& name);
// Balances (docs/api.md, "Balance and usage"): print {client_id, balance, unlimited}.
int admin_top_up(const std::string& data_dir, const std::string& client_id, double amount, const std::string& note);
int admin_set_unlimited(const std::string& data_dir, const std::string& client_id, bool unlimited);
// Parses argv and runs the chosen subcommand.
int main(int argc, char** argv);

}  // namespace genq::app
