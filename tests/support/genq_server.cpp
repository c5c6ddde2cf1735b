#include "support/genq_server.hpp"

#include <boost/json/parse.hpp>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace genq::testing {
namespace {

constexpr std::string_view kListeningPrefix = "listening on http://";
constexpr std::chrono::seconds kCliTimeout{20};

std::string join(const std::vector<std::string>& items, char separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) {
      out.push_back(separator);
    }
    out += item;
  }
  return out;
}

std::string trim_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

// The worker start_worker() runs: `genq worker`, or the command GENQ_TEST_WORKER
// names as a semicolon-separated list (paths hold no semicolons), e.g.
// "node;/src/examples/worker-node/worker.mjs". Either gets the same flags after it,
// so the worker-driven suites run unchanged against another worker implementation.
std::vector<std::string> worker_command(const std::string& genq_binary) {
  const char* configured = std::getenv("GENQ_TEST_WORKER");
  if (configured == nullptr || *configured == '\0') {
    return {genq_binary, "worker"};
  }
  std::vector<std::string> command;
  std::string_view rest = configured;
  while (!rest.empty()) {
    const auto end = rest.find(';');
    if (end != 0) {
      command.emplace_back(rest.substr(0, end));
    }
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  if (command.empty()) {
    throw std::invalid_argument("GENQ_TEST_WORKER names no command");
  }
  return command;
}

}  // namespace

boost::json::value first_json_line(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("{")) {
      boost::system::error_code ec;
      auto value = boost::json::parse(line, ec);
      if (!ec) {
        return value;
      }
    }
  }
  throw std::runtime_error("no JSON line in output: " + text);
}

GenqServer::GenqServer(ServerOptions options)
    : options_(std::move(options)), data_dir_("genq-data"), worker_tmp_("genq-worker-tmp") {
  if (options_.binary.empty()) {
    throw std::invalid_argument("GenqServer: ServerOptions.binary is empty");
  }
  launch("127.0.0.1:0");
}

GenqServer::~GenqServer() {
  if (process_ && process_->running()) {
    // A clean stop first, so a server that loses data only on SIGKILL is not masked;
    // the ChildProcess destructor SIGKILLs whatever is left.
    process_->kill(SIGTERM);
    process_->wait_exit(std::chrono::seconds(5));
  }
  process_.reset();
}

void GenqServer::launch(const std::string& listen) {
  std::vector<std::string> argv = {options_.binary, "serve", "--listen", listen, "--data",
                                   data_dir_.path().string()};
  argv.insert(argv.end(), options_.args.begin(), options_.args.end());
  if (process_) {
    previous_logs_ += process_->output();
  }
  process_ = std::make_unique<ChildProcess>(argv, options_.env);
  if (!process_->wait_for_stdout(kListeningPrefix, options_.start_timeout)) {
    const std::string what = process_->describe();
    process_.reset();
    throw std::runtime_error("genq serve did not print \"listening on\": " + what);
  }
  // The line may arrive in pieces: wait for its end before parsing it.
  const bool whole_line = process_->wait_for_stdout("\n", std::chrono::seconds(5));
  const std::string out = process_->stdout_text();
  const auto start = out.find(kListeningPrefix);
  const auto end = out.find('\n', start);
  if (!whole_line || end == std::string::npos) {
    throw std::runtime_error("incomplete listening line: " + process_->describe());
  }
  listen_ = trim_line(out.substr(start + kListeningPrefix.size(),
                                 end - start - kListeningPrefix.size()));
  base_url_ = "http://" + listen_;
}

std::string GenqServer::admin_token() const {
  for (const auto& [name, value] : options_.env) {
    if (name == "GENQ_ADMIN_TOKEN") {
      return value;
    }
  }
  return trim_line(read_file(data_dir_.path() / "admin-token"));
}

ClientCredentials GenqServer::create_client(const std::string& name) const {
  const auto result = run_command({options_.binary, "admin", "create-client", "--data",
                                   data_dir_.path().string(), "--name", name},
                                  kCliTimeout, options_.env);
  if (result.exit_code != 0) {
    throw std::runtime_error("genq admin create-client exited " +
                             std::to_string(result.exit_code) + ": " + result.out + result.err);
  }
  const auto json = first_json_line(result.out);
  const auto& object = json.as_object();
  return {std::string(object.at("client_id").as_string()),
          std::string(object.at("api_key").as_string()),
          std::string(object.at("webhook_secret").as_string())};
}

std::string GenqServer::create_worker_token(const std::vector<std::string>& models) const {
  std::vector<std::string> argv = {options_.binary, "admin", "create-worker-token", "--data",
                                   data_dir_.path().string()};
  if (!models.empty()) {
    argv.push_back("--models");
    argv.push_back(join(models, ','));
  }
  const auto result = run_command(argv, kCliTimeout, options_.env);
  if (result.exit_code != 0) {
    throw std::runtime_error("genq admin create-worker-token exited " +
                             std::to_string(result.exit_code) + ": " + result.out + result.err);
  }
  return std::string(first_json_line(result.out).as_object().at("token").as_string());
}

std::unique_ptr<ChildProcess> GenqServer::start_worker(const std::vector<std::string>& args) {
  std::vector<std::string> argv = worker_command(options_.binary);
  argv.insert(argv.end(), {"--server", base_url_});
  bool has_token = false;
  bool has_backend = false;
  for (const auto& arg : args) {
    has_token = has_token || arg == "--token";
    has_backend = has_backend || arg == "--backend";
  }
  if (!has_backend) {
    argv.push_back("--backend");
    argv.push_back("synthetic");
  }
  if (!has_token) {
    if (default_worker_token_.empty()) {
      default_worker_token_ = create_worker_token();
    }
    argv.push_back("--token");
    argv.push_back(default_worker_token_);
  }
  argv.insert(argv.end(), args.begin(), args.end());
  EnvVars env = options_.env;
  env.emplace_back("TMPDIR", worker_tmp_.path().string());
  return std::make_unique<ChildProcess>(argv, env);
}

std::optional<int> GenqServer::stop(std::chrono::milliseconds timeout) {
  process_->kill(SIGTERM);
  return process_->wait_exit(timeout);
}

void GenqServer::kill9() {
  process_->kill(SIGKILL);
  if (!process_->wait_exit(std::chrono::seconds(10))) {
    throw std::runtime_error("genq serve survived SIGKILL: " + process_->describe());
  }
}

void GenqServer::start() {
  if (process_ && process_->running()) {
    throw std::logic_error("GenqServer::start: the server is still running");
  }
  launch(listen_);
}

void GenqServer::restart() {
  const auto code = stop();
  if (!code) {
    throw std::runtime_error("genq serve did not exit on SIGTERM: " + process_->describe());
  }
  start();
}

std::string GenqServer::logs() const {
  return previous_logs_ + (process_ ? process_->output() : std::string());
}

}  // namespace genq::testing
