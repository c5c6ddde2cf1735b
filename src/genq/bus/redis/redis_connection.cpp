#include "genq/bus/redis/redis_connection.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace genq::bus {

void RedisConnection::Free::operator()(redisContext* c) const { redisFree(c); }

Result<RedisConnection> RedisConnection::open(const RedisEndpoint& endpoint, Millis timeout) {
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
  timeval tv{static_cast<time_t>(micros / 1'000'000), static_cast<suseconds_t>(micros % 1'000'000)};
  redisContext* raw = redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, tv);
  if (!raw) return fail(Error::unavailable("cannot allocate a redis context"));
  RedisConnection connection(raw);
  if (raw->err) return fail(Error::unavailable(connection.error_text()));
  redisSetTimeout(raw, tv);
  redisEnableKeepAlive(raw);
  if (!endpoint.password.empty()) {
    const char* argv[] = {"AUTH", endpoint.password.c_str()};
    const size_t lengths[] = {4, endpoint.password.size()};
    auto* reply = static_cast<redisReply*>(redisCommandArgv(raw, 2, argv, lengths));
    if (!reply) return fail(Error::unavailable(connection.error_text()));
    const bool refused = reply->type == REDIS_REPLY_ERROR;
    std::string message = refused ? std::string(reply->str, reply->len) : std::string();
    freeReplyObject(reply);
    if (refused) return fail(Error::unavailable("AUTH refused: " + message));
  }
  // A stopped or hung server still completes TCP handshakes (the kernel's backlog):
  // only an answer shows it is there.
  auto* pong = static_cast<redisReply*>(redisCommand(raw, "PING"));
  if (!pong) return fail(Error::unavailable("no answer to PING: " + connection.error_text()));
  const bool answered = pong->type == REDIS_REPLY_STATUS;
  std::string answer = pong->str ? std::string(pong->str, pong->len) : std::string();
  freeReplyObject(pong);
  if (!answered) return fail(Error::unavailable("PING answered " + answer));
  return connection;
}

int RedisConnection::fd() const { return context_->fd; }

std::string RedisConnection::error_text(const char* fallback) const {
  if (context_ && context_->err && context_->errstr[0] != '\0') return context_->errstr;
  return fallback;
}

Millis Backoff::next() {
  delay_ = delay_ == Millis(0) ? Millis(100) : std::min(max_, delay_ * 2);
  return delay_;
}

void OutageLog::failed(const std::string& why) {
  const auto now = std::chrono::steady_clock::now();
  if (attempts_++ == 0) {
    since_ = last_logged_ = now;
    spdlog::warn("{}: {}; working locally and reconnecting", what_, why);
    return;
  }
  if (now - last_logged_ >= interval_) {
    last_logged_ = now;
    spdlog::warn("{}: still unreachable after {} s ({} attempts): {}", what_,
                 std::chrono::duration_cast<std::chrono::seconds>(now - since_).count(), attempts_, why);
  }
}

void OutageLog::recovered() {
  if (attempts_ == 0) return;
  const auto lasted = std::chrono::steady_clock::now() - since_;
  spdlog::info("{}: connected again after {} ms", what_,
               std::chrono::duration_cast<std::chrono::milliseconds>(lasted).count());
  attempts_ = 0;
}

}  // namespace genq::bus
