#pragma once
// A real redis-server for tests: bound to 127.0.0.1 on a port free when it first
// starts, without persistence (`--save '' --appendonly no`) in its own temp dir.
// stop() and start() again keep the port, so a test can take Redis away and bring it
// back under a running client (an outage). The process is ended through its recorded
// pid (ChildProcess), never by name; the destructor ends it if it still runs.
// Not thread-safe: one test thread drives it.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace genq::testing {

class RedisServer {
 public:
  // Starts the server and waits until it answers PING. Throws std::runtime_error with
  // a clear message when redis-server is not installed (Debian's `redis-server`,
  // installed by scripts/install-deps.sh) or does not come up in time.
  // GENQ_REDIS_SERVER names another binary.
  RedisServer();
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::uint16_t port() const { return port_; }
  // "redis://127.0.0.1:PORT", what `genq serve --bus` takes.
  std::string url() const;

  // Ends the server (SIGTERM, then SIGKILL after a deadline) and reaps it; clients'
  // connections drop. No-op when it is not running.
  void stop();
  // Starts it again on the same port and waits until it answers PING. Throws on failure.
  void start();
  bool running() const { return process_ != nullptr; }
  // SIGSTOP / SIGCONT: a server that hangs with its connections open (the kernel still
  // accepts new ones), the failure a closed socket does not reveal.
  void freeze();
  void thaw();

  // Sends one inline command over a fresh connection and returns the raw reply line
  // ("+PONG", ":2"); throws when the server cannot be reached. For assertions.
  std::string command(const std::string& line) const;

 private:
  void launch(std::chrono::milliseconds timeout);

  std::string binary_;
  TempDir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace genq::testing
