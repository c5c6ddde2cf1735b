#pragma once
// Runs the real genq binary for integration tests: `genq serve --listen 127.0.0.1:0
// --data <temp dir> …` with genq choosing the port, waiting for its
// "listening on http://…" line. Owns the data directory, so restarts keep the jobs.
// Helpers wrap the admin CLI (create-client, create-worker-token) and start synthetic
// workers. The destructor stops the server (SIGTERM, then SIGKILL) and removes the
// data directory. Not thread-safe: one test thread drives it.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

namespace genq::testing {

struct ServerOptions {
  std::string binary;              // path of the genq binary (GENQ_BINARY in tests)
  std::vector<std::string> args;   // extra `genq serve` flags, e.g. {"--lease-ms", "1500"}
  EnvVars env;                     // extra environment, e.g. GENQ_ADMIN_TOKEN
  std::chrono::milliseconds start_timeout{20000};
};

// What `genq admin create-client` and POST /api/v1/admin/clients return.
struct ClientCredentials {
  std::string client_id;
  std::string api_key;
  std::string webhook_secret;
};

class GenqServer {
 public:
  // Starts the server; throws std::runtime_error with its output if it does not
  // print its listening line within options.start_timeout.
  explicit GenqServer(ServerOptions options);
  ~GenqServer();
  GenqServer(const GenqServer&) = delete;
  GenqServer& operator=(const GenqServer&) = delete;

  // "http://127.0.0.1:PORT"; the same across restarts (restart reuses the port).
  const std::string& base_url() const { return base_url_; }
  const std::filesystem::path& data_dir() const { return data_dir_.path(); }
  const std::string& binary() const { return options_.binary; }
  // GENQ_ADMIN_TOKEN when the options set it, else the contents of DIR/admin-token.
  std::string admin_token() const;

  HttpClient http() const { return HttpClient(base_url_); }
  HttpClient admin_http() const { return http().with_bearer(admin_token()); }
  HttpClient client_http(const ClientCredentials& client) const {
    return http().with_bearer(client.api_key);
  }

  // `genq admin create-client --data DIR --name NAME`; throws on failure.
  ClientCredentials create_client(const std::string& name = "test-client") const;
  // `genq admin create-worker-token --data DIR [--models a,b]`; throws on failure.
  std::string create_worker_token(const std::vector<std::string>& models = {}) const;

  // `genq worker --server URL --token T --backend synthetic <args>`; a token for all
  // models is created (once) unless args contain "--token", and args with "--backend"
  // choose their own backend. With GENQ_TEST_WORKER set
  // (a semicolon-separated command, e.g. "node;.../worker.mjs"), that command runs
  // in place of `genq worker`, with the same flags.
  std::unique_ptr<ChildProcess> start_worker(const std::vector<std::string>& args = {});

  // Stops the server gracefully (SIGTERM) and starts it again on the same port and
  // data directory. Throws if either step fails.
  void restart();
  // SIGKILLs the server and reaps it: nothing gets to flush or say goodbye.
  void kill9();
  // Starts the server again after kill9() or stop(), on the same port.
  void start();
  // SIGTERM; returns the exit code, or nullopt if it had not exited after `timeout`.
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  ChildProcess& process() { return *process_; }
  // The server's output so far (both streams), for assertion messages.
  std::string logs() const;

 private:
  void launch(const std::string& listen);

  ServerOptions options_;
  TempDir data_dir_;
  // TMPDIR of the workers started here: a worker killed mid-job (as tests do) leaves
  // its job directory behind, and this removes it with the server.
  TempDir worker_tmp_;
  std::unique_ptr<ChildProcess> process_;
  std::string base_url_;
  std::string listen_;  // "127.0.0.1:PORT" once known
  std::string default_worker_token_;
  std::string previous_logs_;  // output of earlier runs, kept across restarts
};

// Parses the first line of `text` that is a JSON object; throws if none.
boost::json::value first_json_line(const std::string& text);

}  // namespace genq::testing
