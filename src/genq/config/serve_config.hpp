#pragma once
// Everything `genq serve` can be told. Flags, GENQ_* environment variables and the
// --config file all load into this one struct (app/cli.cpp maps them).
#include <cstddef>
#include <cstdint>
#include <string>

#include "genq/blob/s3_settings.hpp"
#include "genq/config/pusher_config.hpp"
#include "genq/config/webhook_config.hpp"

namespace genq {

struct ServeConfig {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  // The job store: a postgres:// URL (N nodes on one database, docs/scale-out.md), or
  // empty for the SQLite database under data_dir.
  std::string store_url;
  // Where files go: empty or a directory path = the local directory under data_dir
  // (blobs/); s3://BUCKET[/PREFIX] = an S3-compatible bucket shared by every node,
  // configured by `s3` and the AWS_* variables (blob/s3_settings.hpp).
  std::string blobs;
  S3Flags s3;
  std::string public_url;   // base of signed URLs; default http(s)://<listen address>
  // HTTPS and WSS on the listen port: a PEM certificate chain and its private key.
  // Both or neither; empty = plain HTTP (or TLS ends at a proxy in front, docs/tls.md).
  std::string tls_cert;
  std::string tls_key;
  std::string catalog_path; // empty = the catalog compiled into the binary
  int io_threads = 0;       // 0 = one per core in the CPU affinity mask
  int blocking_threads = 32;
  std::int64_t lease_ms = 30'000;
  int max_attempts = 3;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_json_bytes = 1024 * 1024;
  std::size_t max_body_bytes = 0;  // 0 = no cap beyond the catalog's file_limits
  std::size_t max_preview_bytes = 256 * 1024;
  std::size_t max_result_bytes = 512ull * 1024 * 1024;
  std::int64_t read_timeout_ms = 30'000;
  // Open connections (HTTP and WebSocket). 0 = the descriptor limit less 256 kept for
  // files, the database and outgoing webhooks.
  std::size_t max_connections = 0;
  // Per client address; 0 = no cap. Off by default: behind a load balancer or a local
  // reverse proxy every client arrives from the proxy's address.
  std::size_t max_connections_per_ip = 0;
  std::string metrics_token;  // empty: /metrics is open
  std::int64_t result_ttl_s = 7 * 24 * 3600;
  std::int64_t retention_interval_s = 60;  // how often expired files are deleted
  std::int64_t job_retention_s = 30 * 24 * 3600;  // finished job rows are deleted after it
  std::int64_t shutdown_timeout_s = 10;   // SIGTERM: time allowed to answer what was read
  std::int64_t url_ttl_s = 3600;
  std::string sqlite_sync = "full";  // full | normal
  bool webhook_allow_http = false;
  bool webhook_allow_private = false;
  WebhookConfig webhooks;
  // Input files named by URL: fetched at submit through the webhooks' SSRF guard.
  std::size_t input_fetch_max_bytes = 80 * 1024 * 1024;
  std::int64_t input_fetch_timeout_s = 60;
  int input_fetch_concurrency = 8;  // downloads at once, each on a blocking thread
  std::int64_t prompt_wait_s = 120;  // a prompt helper's wait for its job
  std::int64_t rate_limit_per_minute = 0;  // submits per client and task; 0 = off
  std::int64_t rate_limit_per_day = 0;
  bool billing = false;  // balances, charges and refusals (docs/api.md, "Balance and usage")
  std::string log_level = "info";
  std::string log_format = "text";  // text | json (logging/log_format.hpp)
  bool access_log = false;          // a line per answered request (http/access_log.hpp)
  // Job events between nodes: "in-process" (one server) or redis://[:PASSWORD@]HOST[:PORT][/DB].
  std::string bus = "in-process";
  PusherConfig pusher;
};

// "host:port" -> parts; false if malformed.
bool split_host_port(const std::string& listen, std::string& host, unsigned short& port);

}  // namespace genq
