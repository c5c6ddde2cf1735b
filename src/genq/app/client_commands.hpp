#pragma once
// The client commands, for scripts and people at a terminal (docs/cli.md):
//   genq submit TASK --model M [--param k=v …] [--file name=path …] [--webhook-url U]
//               [--wait] [--out FILE] [--preview FILE]
//   genq status ID | genq cancel ID | genq models [--task T]
// Server and key from --server/GENQ_SERVER and --api-key/GENQ_API_KEY.
// Exit codes: 0 done; 1 the job ended in error; 2 a refused request (bad field, bad
// key, unknown id); 3 the server unreachable or failing.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace genq::app {

struct ClientCommandOptions {
  std::string server = "http://127.0.0.1:8080";
  std::string api_key;
  std::string task;
  std::string model;
  std::vector<std::string> params;  // k=v
  std::vector<std::string> files;   // name=path
  std::string webhook_url;
  bool wait = false;
  std::string out;
  std::string preview;
  std::string request_id;
  std::string models_task;
};

struct ClientCommands {
  CLI::App* submit = nullptr;
  CLI::App* status = nullptr;
  CLI::App* cancel = nullptr;
  CLI::App* models = nullptr;
};

ClientCommands add_client_commands(CLI::App& app, ClientCommandOptions& options);
// Runs the client command the arguments chose; nullopt when they chose none.
std::optional<int> run_client_command(const ClientCommands& commands, const ClientCommandOptions& options);

}  // namespace genq::app
