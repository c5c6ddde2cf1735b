// Command-line interface: flags, GENQ_* environment variables and a config file
// (--config, TOML or INI with the flag names as keys; app/config_file.hpp) all map
// onto the same options.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <set>
#include <iostream>
#include <thread>

#include "genq/app/catalog_source.hpp"
#include "genq/app/client_commands.hpp"
#include "genq/app/commands.hpp"
#include "genq/app/config_file.hpp"
#include "genq/app/pusher_setup.hpp"
#include "genq/app/webhook_setup.hpp"
#include "genq/logging/log_format.hpp"
#include "genq/runner/worker_main.hpp"

namespace genq::app {
namespace {

void add_serve_options(CLI::App& cmd, ServeConfig& c) {
  cmd.add_option("--listen", c.listen, "Address to listen on, HOST:PORT (port 0 picks a free port)")
      ->envname("GENQ_LISTEN")->capture_default_str();
  cmd.add_option("--data", c.data_dir, "Data directory: SQLite database, files, secrets")
      ->envname("GENQ_DATA")->capture_default_str();
  cmd.add_option("--store", c.store_url,
                 "Job store shared by several nodes: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE; "
                 "default the SQLite database under --data")
      ->envname("GENQ_STORE");
  cmd.add_option("--blobs", c.blobs,
                 "Where result and input files go: s3://BUCKET[/PREFIX] for an S3-compatible bucket every node "
                 "shares (docs/scale-out.md); default the directory blobs/ under --data")
      ->envname("GENQ_BLOBS");
  cmd.add_option("--s3-endpoint", c.s3.endpoint,
                 "S3 endpoint, http(s)://HOST[:PORT]; wins over AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL; "
                 "default AWS S3 in the region");
  cmd.add_option("--s3-region", c.s3.region, "S3 region; wins over AWS_REGION and AWS_DEFAULT_REGION; default us-east-1");
  cmd.add_option("--s3-access-key-id", c.s3.access_key_id, "S3 access key id; wins over AWS_ACCESS_KEY_ID");
  cmd.add_option("--s3-secret-access-key", c.s3.secret_access_key,
                 "S3 secret access key; wins over AWS_SECRET_ACCESS_KEY");
  cmd.add_option("--s3-path-style", c.s3.path_style,
                 "Bucket in the URL path (endpoint/BUCKET/KEY) rather than the host name: on, off, or auto (on when "
                 "an endpoint is given, as MinIO, Garage and s3rver need)")
      ->check(CLI::IsMember({"auto", "on", "off"}))->capture_default_str();
  cmd.add_option("--public-url", c.public_url, "Base URL clients reach this server at (signed URLs); default http://LISTEN, https:// with --tls-cert")
      ->envname("GENQ_PUBLIC_URL");
  cmd.add_option("--tls-cert", c.tls_cert,
                 "Serve HTTPS and WSS on --listen with this PEM certificate chain (server certificate first); "
                 "needs --tls-key; SIGHUP reloads both files (docs/tls.md)")
      ->envname("GENQ_TLS_CERT");
  cmd.add_option("--tls-key", c.tls_key, "The PEM private key of --tls-cert, unencrypted")->envname("GENQ_TLS_KEY");
  cmd.add_option("--catalog", c.catalog_path, "Model catalog JSON file; default: the catalog built into genq")
      ->envname("GENQ_CATALOG");
  cmd.add_option("--threads", c.io_threads, "I/O threads (0 = one per core this process may run on)")->envname("GENQ_THREADS")->capture_default_str();
  cmd.add_option("--blocking-threads", c.blocking_threads, "Threads for requests that wait on durable writes")
      ->envname("GENQ_BLOCKING_THREADS")->check(CLI::Range(1, 1024))->capture_default_str();
  cmd.add_option("--lease-ms", c.lease_ms, "Worker lease: a job whose worker is silent this long is requeued")
      ->envname("GENQ_LEASE_MS")->check(CLI::Range(int64_t{200}, int64_t{3'600'000}))->capture_default_str();
  cmd.add_option("--max-attempts", c.max_attempts, "Claims per job before it ends in error")
      ->envname("GENQ_MAX_ATTEMPTS")->check(CLI::Range(1, 100))->capture_default_str();
  cmd.add_option("--max-header-bytes", c.max_header_bytes, "Largest request header")
      ->envname("GENQ_MAX_HEADER_BYTES")->capture_default_str();
  cmd.add_option("--max-json-bytes", c.max_json_bytes, "Largest JSON request body")
      ->envname("GENQ_MAX_JSON_BYTES")->capture_default_str();
  cmd.add_option("--max-body-bytes", c.max_body_bytes, "Cap on a submit body with files; 0 = each task's file fields at the catalog's file_limits (images 10 MiB, audio and video 80 MiB) plus --max-json-bytes for the other fields")
      ->envname("GENQ_MAX_BODY_BYTES")->capture_default_str();
  cmd.add_option("--max-preview-bytes", c.max_preview_bytes, "Largest preview JPEG a worker may send")
      ->envname("GENQ_MAX_PREVIEW_BYTES")->capture_default_str();
  cmd.add_option("--max-result-bytes", c.max_result_bytes, "Largest result file a worker may upload")
      ->envname("GENQ_MAX_RESULT_BYTES")->capture_default_str();
  cmd.add_option("--max-connections", c.max_connections, "Open connections (HTTP and WebSocket) at most; past it a new one gets 503 and is closed. 0 = the file-descriptor limit less 256")
      ->envname("GENQ_MAX_CONNECTIONS")->capture_default_str();
  cmd.add_option("--max-connections-per-ip", c.max_connections_per_ip, "Open connections from one client address at most; 0 = no cap (behind a proxy every client shares its address)")
      ->envname("GENQ_MAX_CONNECTIONS_PER_IP")->capture_default_str();
  cmd.add_option("--metrics-token", c.metrics_token, "Bearer token GET /metrics must carry; empty = /metrics is open (put it behind your network instead)")
      ->envname("GENQ_METRICS_TOKEN");
  cmd.add_option("--read-timeout-ms", c.read_timeout_ms, "Time allowed to read a request or write a response")
      ->envname("GENQ_READ_TIMEOUT_MS")->capture_default_str();
  cmd.add_option("--result-ttl-s", c.result_ttl_s, "How long result and input files are kept after a job ends")
      ->envname("GENQ_RESULT_TTL_S")->capture_default_str();
  cmd.add_option("--job-retention-s", c.job_retention_s,
                 "How long a finished job (its row, status, delivery log) is kept; its files go at --result-ttl-s, or with it when sooner")
      ->envname("GENQ_JOB_RETENTION_S")->check(CLI::PositiveNumber)->capture_default_str();
  cmd.add_option("--retention-interval-s", c.retention_interval_s,
                 "How often files past --result-ttl-s and jobs past --job-retention-s are deleted (and stale upload spool files swept)")
      ->envname("GENQ_RETENTION_INTERVAL_S")->check(CLI::Range(std::int64_t{1}, std::int64_t{86400}))
      ->capture_default_str();
  cmd.add_option("--shutdown-timeout-s", c.shutdown_timeout_s,
                 "On SIGTERM/SIGINT, how long requests already read may take to be answered before genq exits anyway")
      ->envname("GENQ_SHUTDOWN_TIMEOUT_S")->check(CLI::Range(std::int64_t{0}, std::int64_t{3600}))
      ->capture_default_str();
  cmd.add_option("--url-ttl-s", c.url_ttl_s, "Lifetime of signed download URLs")
      ->envname("GENQ_URL_TTL_S")->check(CLI::Range(int64_t{1}, int64_t{7 * 24 * 3600}))->capture_default_str();
  cmd.add_option("--sqlite-sync", c.sqlite_sync,
                 "full: every acknowledged write survives power loss; normal: survives process crashes only")
      ->envname("GENQ_SQLITE_SYNC")->check(CLI::IsMember({"full", "normal"}))->capture_default_str();
  cmd.add_flag("--webhook-allow-http", c.webhook_allow_http, "Allow plain http:// webhook and callback targets")
      ->envname("GENQ_WEBHOOK_ALLOW_HTTP");
  cmd.add_flag("--webhook-allow-private", c.webhook_allow_private,
               "Allow webhook targets on loopback and private addresses (turns the SSRF address guard off)")
      ->envname("GENQ_WEBHOOK_ALLOW_PRIVATE");
  cmd.add_option("--input-fetch-max-bytes", c.input_fetch_max_bytes,
                 "Largest input file genq downloads for a submit that names it by URL (source_url, video_url, audio_url)")
      ->envname("GENQ_INPUT_FETCH_MAX_BYTES")->check(CLI::PositiveNumber)->capture_default_str();
  cmd.add_option("--input-fetch-timeout-s", c.input_fetch_timeout_s, "Time allowed to download such an input file")
      ->envname("GENQ_INPUT_FETCH_TIMEOUT_S")->check(CLI::Range(std::int64_t{1}, std::int64_t{600}))
      ->capture_default_str();
  cmd.add_option("--input-fetch-concurrency", c.input_fetch_concurrency,
                 "Input downloads at once (each holds a blocking thread); more are refused with 503")
      ->envname("GENQ_INPUT_FETCH_CONCURRENCY")->check(CLI::Range(1, 1000))->capture_default_str();
  cmd.add_option("--prompt-wait-s", c.prompt_wait_s,
                 "How long a prompt helper (POST /api/v1/client/prompt/...) waits for its job before answering 504")
      ->envname("GENQ_PROMPT_WAIT_S")->check(CLI::Range(std::int64_t{1}, std::int64_t{3600}))->capture_default_str();
  cmd.add_option("--rate-limit-per-minute", c.rate_limit_per_minute, "Submits per minute per client and task (0 = off)")
      ->envname("GENQ_RATE_LIMIT_PER_MINUTE")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd.add_option("--rate-limit-per-day", c.rate_limit_per_day, "Submits per day per client and task (0 = off)")
      ->envname("GENQ_RATE_LIMIT_PER_DAY")->check(CLI::NonNegativeNumber)->capture_default_str();
  cmd.add_flag("--billing", c.billing,
               "Keep client balances: charge every done job its catalog price, refuse submits a balance cannot cover")
      ->envname("GENQ_BILLING");
  cmd.add_option("--log-level", c.log_level, "trace, debug, info, warn, error")
      ->envname("GENQ_LOG_LEVEL")->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))->capture_default_str();
  cmd.add_option("--log-format", c.log_format,
                 "text (one readable line each) or json (one JSON object per line: time, level, msg, request_id)")
      ->envname("GENQ_LOG_FORMAT")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd.add_flag("--access-log", c.access_log,
               "Log a line per answered request: method, path, status, time, client address and request id")
      ->envname("GENQ_ACCESS_LOG");
  cmd.add_option("--bus", c.bus,
                 "Job events between nodes: in-process (one server) or redis://[:PASSWORD@]HOST[:PORT][/DB] "
                 "(several nodes; pub/sub, docs/scale-out.md)")
      ->envname("GENQ_BUS")->capture_default_str();
  add_pusher_options(cmd, c.pusher);
  add_webhook_options(cmd, c.webhooks);
}

// The worker token from a file (a secret mounted by the orchestrator): its first line,
// without surrounding whitespace.
Result<std::string> read_token_file(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return fail(Error::invalid("cannot read the token file " + path));
  const auto first = line.find_first_not_of(" \t\r");
  const auto last = line.find_last_not_of(" \t\r");
  if (first == std::string::npos) return fail(Error::invalid("the token file " + path + " is empty"));
  return line.substr(first, last - first + 1);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"genq: a self-hostable server for asynchronous AI-generation jobs.\n"
               "Clients submit jobs over HTTP; GPU workers claim them, report progress and upload results."};
  app.name("genq");
  app.set_version_flag("--version", std::string("genq ") + GENQ_VERSION);
  app.require_subcommand(1);
  // --config is taken out of the arguments before parsing (it may stand before or after
  // the subcommand); these options only document it in --help.
  std::string config_help_only;
  const auto document_config = [&config_help_only](CLI::App& command) {
    command.add_option("--config", config_help_only,
                       "Config file (TOML or INI): keys named like the flags, at the top level or in a "
                       "[serve]/[worker]/[admin] section; flags and GENQ_* variables win over it");
  };
  document_config(app);

  ServeConfig serve_config;
  auto* serve_cmd = app.add_subcommand("serve", "Run the API server (SQLite under --data by default)");
  add_serve_options(*serve_cmd, serve_config);
  document_config(*serve_cmd);
  bool print_config = false;
  serve_cmd->add_flag("--print-config", print_config,
                      "Print every effective setting and where it came from (flag, environment, file, default), "
                      "secrets masked, and exit");

  auto* admin = app.add_subcommand("admin", "Manage clients and worker tokens in a data directory");
  admin->require_subcommand(1);
  document_config(*admin);
  AdminStore admin_store{"./data", ""};
  // Every admin command works on a data directory's SQLite or on the servers' PostgreSQL.
  auto add_store_options = [&admin_store](CLI::App& command) {
    command.add_option("--data", admin_store.data_dir, "Data directory of the server")
        ->envname("GENQ_DATA")
        ->capture_default_str();
    command.add_option("--store", admin_store.store_url, "The servers' postgres:// store, instead of --data's SQLite")
        ->envname("GENQ_STORE");
  };
  std::string name = "client", worker_name = "worker";
  std::vector<std::string> models;
  auto* create_client = admin->add_subcommand("create-client", "Create a client; prints {client_id, api_key, webhook_secret}");
  add_store_options(*create_client);
  create_client->add_option("--name", name, "Client name")->required();
  LimitOptions limit_options;
  auto add_limit_options = [&limit_options](CLI::App& command) {
    command.add_option("--max-priority", limit_options.max_priority, "Highest priority it may submit: low, normal, high")
        ->check(CLI::IsMember({"low", "normal", "high"}));
    command.add_option("--max-queued", limit_options.max_queued, "Cap on its pending jobs; 0 = none")
        ->check(CLI::NonNegativeNumber);
    command.add_option("--max-running", limit_options.max_running, "Cap on its running jobs; 0 = none")
        ->check(CLI::NonNegativeNumber);
  };
  add_limit_options(*create_client);
  auto* create_token = admin->add_subcommand("create-worker-token", "Create a worker token; prints {token}");
  add_store_options(*create_token);
  create_token->add_option("--models", models, "Only these models (comma-separated); default all")->delimiter(',');
  create_token->add_option("--name", worker_name, "Token name")->capture_default_str();

  std::string client_id, note;
  double amount = 0;
  auto* top_up = admin->add_subcommand("top-up", "Add to a client's balance; prints {client_id, balance, unlimited}");
  add_store_options(*top_up);
  top_up->add_option("--client", client_id, "Client id")->required();
  top_up->add_option("--amount", amount, "Amount in the catalog's currency (negative to correct)")->required();
  top_up->add_option("--note", note, "Note kept in the usage ledger");
  auto* set_limits = admin->add_subcommand(
      "set-client-limits",
      "Change a client's grants; prints {client_id, max_priority, max_queued, max_running}");
  add_store_options(*set_limits);
  set_limits->add_option("--client", client_id, "Client id")->required();
  add_limit_options(*set_limits);
  bool unlimited = true;
  auto* set_unlimited = admin->add_subcommand(
      "set-unlimited", "Let a client run jobs whatever its balance (or not); prints {client_id, balance, unlimited}");
  add_store_options(*set_unlimited);
  set_unlimited->add_option("--client", client_id, "Client id")->required();
  set_unlimited->add_option("--unlimited", unlimited, "true or false")->capture_default_str();

  auto* show_admin_token = admin->add_subcommand("admin-token", "Print the servers' admin token; prints {admin_token}");
  add_store_options(*show_admin_token);

  // Credentials' lifecycle (docs/security.md).
  std::string key_id, token_id;
  auto* add_key = admin->add_subcommand("add-api-key", "Add an API key to a client; prints {id, api_key}");
  add_store_options(*add_key);
  add_key->add_option("--client", client_id, "Client id")->required();
  auto* list_keys = admin->add_subcommand("list-api-keys", "List a client's API keys; prints {data: [{id, created_at}]}");
  add_store_options(*list_keys);
  list_keys->add_option("--client", client_id, "Client id")->required();
  auto* revoke_key = admin->add_subcommand("revoke-api-key", "Revoke one of a client's API keys; prints {id, revoked}");
  add_store_options(*revoke_key);
  revoke_key->add_option("--client", client_id, "Client id")->required();
  revoke_key->add_option("--key", key_id, "Key id, as list-api-keys shows it (key_…)")->required();
  auto* list_tokens = admin->add_subcommand(
      "list-worker-tokens", "List the worker tokens; prints {data: [{id, name, models, disabled, created_at}]}");
  add_store_options(*list_tokens);
  auto* disable_token = admin->add_subcommand("disable-worker-token", "Disable a worker token; prints {id, disabled}");
  add_store_options(*disable_token);
  disable_token->add_option("--token-id", token_id, "Token id, as list-worker-tokens shows it")->required();
  auto* enable_token = admin->add_subcommand("enable-worker-token", "Enable a disabled worker token; prints {id, disabled}");
  add_store_options(*enable_token);
  enable_token->add_option("--token-id", token_id, "Token id, as list-worker-tokens shows it")->required();
  auto* delete_token = admin->add_subcommand("delete-worker-token", "Delete a worker token; prints {id, deleted}");
  add_store_options(*delete_token);
  delete_token->add_option("--token-id", token_id, "Token id, as list-worker-tokens shows it")->required();

  runner::WorkerOptions worker_options;
  auto* worker = app.add_subcommand("worker", "Run a worker: claim jobs from a server and run a backend");
  document_config(*worker);
  worker->add_flag("--print-config", print_config,
                   "Print every effective setting and where it came from, secrets masked, and exit");
  worker->add_option("--server", worker_options.server_url, "Server URL, e.g. http://127.0.0.1:8080")
      ->envname("GENQ_SERVER")->required();
  auto* token_option = worker->add_option("--token", worker_options.token,
                                          "Worker token (genq admin create-worker-token); visible in ps: "
                                          "prefer GENQ_WORKER_TOKEN or --token-file")
                           ->envname("GENQ_WORKER_TOKEN");
  std::string worker_token_file;
  worker->add_option("--token-file", worker_token_file, "File holding the worker token (its first line)")
      ->envname("GENQ_WORKER_TOKEN_FILE")->check(CLI::ExistingFile)->excludes(token_option);
  std::string worker_catalog;
  worker->add_option("--backend", worker_options.backend,
                     "catalog: each model on the backend its catalog entry names; synthetic: every model on "
                     "the synthetic backend")
      ->envname("GENQ_BACKEND")->check(CLI::IsMember({"catalog", "synthetic"}))->capture_default_str();
  worker->add_option("--catalog", worker_catalog, "Model catalog (JSON); default the built-in one")
      ->envname("GENQ_CATALOG");
  worker->add_option("--models", worker_options.models, "Models to serve (comma-separated); default all the token allows")
      ->delimiter(',')->envname("GENQ_WORKER_MODELS");
  worker->add_option("--concurrency", worker_options.concurrency, "Jobs run at once")
      ->envname("GENQ_CONCURRENCY")->check(CLI::Range(1, 256))->capture_default_str();
  worker->add_option("--step-delay-ms", worker_options.step_delay_ms, "Synthetic backend: delay per step")
      ->envname("GENQ_STEP_DELAY_MS")->check(CLI::Range(0, 600'000))->capture_default_str();
  worker->add_flag("--synthetic-noise", worker_options.synthetic_noise,
                   "Synthetic backend: images and video of incompressible noise, so results have real-world "
                   "sizes (a 1024x1024 PNG is ~3 MiB)")
      ->envname("GENQ_SYNTHETIC_NOISE");
  worker->add_option("--worker-id", worker_options.worker_id, "Name shown in logs and job status; default HOST-PID")
      ->envname("GENQ_WORKER_ID");
  std::string worker_log_level = "info", worker_log_format = "text";
  worker->add_option("--log-level", worker_log_level, "trace, debug, info, warn, error")
      ->envname("GENQ_LOG_LEVEL")->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))->capture_default_str();
  worker->add_option("--log-format", worker_log_format,
                     "text (one readable line each) or json (one JSON object per line: time, level, msg)")
      ->envname("GENQ_LOG_FORMAT")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  worker->add_option("--wait-ms", worker_options.wait_ms, "Long-poll wait per claim")
      ->envname("GENQ_WAIT_MS")->check(CLI::Range(0, 60'000))->capture_default_str();
  worker->add_option("--grace-ms", worker_options.shutdown_grace_ms,
                     "On SIGTERM/SIGINT, how long running jobs may finish before they are handed back")
      ->envname("GENQ_GRACE_MS")->check(CLI::Range(0, 3'600'000))->capture_default_str();

  ClientCommandOptions client_options;
  const ClientCommands client_commands = add_client_commands(app, client_options);

  const std::vector<std::string> given(argv + 1, argv + argc);
  std::vector<std::string> args = given;
  std::set<std::string> from_file;
  auto config_file = take_config_option(args);
  if (!config_file) {
    std::cerr << "genq: " << config_file.error().message << "\n";
    return 2;
  }
  if (*config_file) {
    auto settings = read_config_file(**config_file, app, command_path(app, args), args);
    if (!settings) {
      std::cerr << "genq: " << settings.error().message << "\n";
      return 2;
    }
    args.insert(args.end(), settings->arguments.begin(), settings->arguments.end());
    from_file = std::move(settings->keys);
  }
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (print_config) {
    std::cout << describe_settings(*serve_cmd ? *serve_cmd : *worker, given, from_file);
    return 0;
  }

  if (*worker) {
    if (!worker_token_file.empty()) {
      auto token = read_token_file(worker_token_file);
      if (!token) {
        std::cerr << "genq worker: " << token.error().message << "\n";
        return 2;
      }
      worker_options.token = std::move(*token);
    }
    if (worker_options.token.empty()) {
      std::cerr << "genq worker: a worker token is required: --token-file, GENQ_WORKER_TOKEN or --token\n";
      return 2;
    }
  }

  if (*serve_cmd) {
    spdlog::set_level(spdlog::level::from_str(serve_config.log_level));
    if (auto format = logging::use_log_format(serve_config.log_format); !format) {
      std::cerr << "genq serve: " << format.error().message << "\n";
      return 2;
    }
    return serve(serve_config);
  }
  if (auto code = run_client_command(client_commands, client_options)) return *code;
  if (*create_client) return admin_create_client(admin_store, name, limit_options);
  if (*set_limits) return admin_set_client_limits(admin_store, client_id, limit_options);
  if (*create_token) return admin_create_worker_token(admin_store, models, worker_name);
  if (*top_up) return admin_top_up(admin_store, client_id, amount, note);
  if (*set_unlimited) return admin_set_unlimited(admin_store, client_id, unlimited);
  if (*show_admin_token) return admin_show_admin_token(admin_store);
  if (*add_key) return admin_add_api_key(admin_store, client_id);
  if (*list_keys) return admin_list_api_keys(admin_store, client_id);
  if (*revoke_key) return admin_revoke_api_key(admin_store, client_id, key_id);
  if (*list_tokens) return admin_list_worker_tokens(admin_store);
  if (*disable_token) return admin_set_worker_token_disabled(admin_store, token_id, true);
  if (*enable_token) return admin_set_worker_token_disabled(admin_store, token_id, false);
  if (*delete_token) return admin_delete_worker_token(admin_store, token_id);
  if (*worker) {
    spdlog::set_level(spdlog::level::from_str(worker_log_level));
    if (auto format = logging::use_log_format(worker_log_format); !format) {
      std::cerr << "genq worker: " << format.error().message << "\n";
      return 2;
    }
    auto catalog = load_catalog(worker_catalog);
    if (!catalog) {
      std::cerr << "genq worker: " << catalog.error().message << "\n";
      return 2;
    }
    return runner::run_worker(worker_options, *catalog);
  }
  return 2;
}

}  // namespace genq::app
