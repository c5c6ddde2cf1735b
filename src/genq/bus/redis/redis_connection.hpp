#pragma once
// One hiredis connection (hiredis 0.14, blocking mode), owned: freed on destruction.
// Not thread-safe: each bus thread has its own. Also the backoff and the log lines
// of a connection that keeps failing.
#include <chrono>
#include <memory>
#include <string>

#include "genq/bus/redis/redis_endpoint.hpp"
#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"

struct redisContext;

namespace genq::bus {

class RedisConnection {
 public:
  // Connects (TCP keepalive on, `timeout` for the connect and for each blocking
  // read and write), authenticates and checks that the server answers a PING.
  // Unavailable with the reason on failure.
  static Result<RedisConnection> open(const RedisEndpoint& endpoint, Millis timeout);
  RedisConnection(RedisConnection&&) noexcept = default;
  RedisConnection& operator=(RedisConnection&&) noexcept = default;

  redisContext* get() const { return context_.get(); }
  int fd() const;
  // hiredis' description of the connection's error, or `fallback` when it has none.
  std::string error_text(const char* fallback = "connection lost") const;

 private:
  struct Free {
    void operator()(redisContext* c) const;
  };
  explicit RedisConnection(redisContext* c) : context_(c) {}
  std::unique_ptr<redisContext, Free> context_;
};

// Delays between reconnect attempts: 100 ms doubling to `max`, back to the start
// after a success.
class Backoff {
 public:
  explicit Backoff(Millis max) : max_(max) {}
  Millis next();
  void reset() { delay_ = Millis(0); }

 private:
  Millis max_;
  Millis delay_{0};
};

// The log lines of one connection's outage: a warning when it starts, one line per
// `interval` while it lasts (however many attempts fail), one when it ends.
// Not thread-safe: one per connection thread.
class OutageLog {
 public:
  OutageLog(std::string what, Millis interval) : what_(std::move(what)), interval_(interval) {}
  void failed(const std::string& why);
  void recovered();
  bool down() const { return attempts_ > 0; }

 private:
  std::string what_;
  Millis interval_;
  int attempts_ = 0;
  std::chrono::steady_clock::time_point since_{}, last_logged_{};
};

}  // namespace genq::bus
