#include "support/s3_server.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "support/free_port.hpp"

namespace genq::testing {
namespace {

using namespace std::chrono_literals;

std::string find_node() {
  if (const char* named = std::getenv("GENQ_NODE"); named && *named) return named;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::filesystem::path candidate = std::filesystem::path(dirs.substr(start, end - start)) / "node";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    start = end + 1;
  }
  throw S3ServerMissing("node not found in PATH: the S3 tests run s3rver from npm (scripts/install-deps.sh installs "
                        "Node; then `npm ci` in tests/js)");
}

}  // namespace

S3Server::S3Server(const std::string& source_dir, std::string bucket) : dir_("genq-s3"), bucket_(std::move(bucket)) {
  const std::string node = find_node();
  const std::filesystem::path js = std::filesystem::path(source_dir) / "tests" / "js";
  if (!std::filesystem::exists(js / "node_modules" / "s3rver" / "package.json")) {
    throw S3ServerMissing("s3rver is not installed in " + (js / "node_modules").string() +
                          ": run `npm ci` in tests/js (scripts/run-tests.sh does)");
  }
  std::string last_problem;
  for (int attempt = 0; attempt < 3; ++attempt) {  // a free port can be taken before s3rver binds it
    port_ = free_port();
    const std::string ready = "s3rver ready on " + std::to_string(port_);
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        node, (js / "support" / "s3rver_main.mjs").string(), "--directory", dir_.path().string(), "--port",
        std::to_string(port_), "--bucket", bucket_});
    if (process_->wait_for_stdout(ready, 20s)) return;
    last_problem = process_->output();
    process_.reset();
  }
  throw std::runtime_error("s3rver did not start: " + last_problem);
}

S3Server::~S3Server() {
  if (!process_) return;
  process_->kill(SIGTERM);
  if (!process_->wait_exit(5s)) {
    process_->kill(SIGKILL);
    process_->wait_exit(5s);
  }
}

S3Settings S3Server::settings(const std::string& prefix) const {
  S3Settings s;
  s.bucket = bucket_;
  s.prefix = prefix;
  s.endpoint = endpoint();
  s.region = kRegion;
  s.access_key_id = kAccessKeyId;
  s.secret_access_key = kSecretAccessKey;
  s.path_style = true;
  return s;
}

}  // namespace genq::testing
