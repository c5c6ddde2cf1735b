#include "genq/bus/redis/redis_rate_windows.hpp"

#include <hiredis/hiredis.h>

#include <memory>
#include <vector>

#include "genq/bus/redis/redis_reply.hpp"

namespace genq::bus {
namespace {

// KEYS: the windows' counters; ARGV: limit and ttl (ms) of each, in pairs. Returns the
// 1-based index of the first full window, or 0 after counting in every one.
constexpr const char* kTakeScript = R"lua(
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[2 * i - 1]) then return i end
end
for i = 1, #KEYS do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i]) end
end
return 0
)lua";

constexpr std::chrono::seconds kRetryConnectAfter{1};

}  // namespace

RedisRateWindows::RedisRateWindows(RedisEndpoint endpoint, Millis timeout)
    : endpoint_(std::move(endpoint)),
      timeout_(timeout),
      prefix_("genq:" + std::to_string(endpoint_.db) + ":rate:"),
      outage_("rate limits on " + endpoint_.describe() + " (counting per node meanwhile)", Millis(30'000)) {}

Result<int> RedisRateWindows::take(const std::vector<RateWindow>& windows) {
  if (windows.empty()) return -1;
  std::lock_guard lock(mutex_);
  if (!connection_) {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_connect_) return fail(Error::unavailable("redis unreachable"));
    next_connect_ = now + kRetryConnectAfter;
    Result<RedisConnection> opened = RedisConnection::open(endpoint_, timeout_);
    if (!opened) {
      outage_.failed(opened.error().message);
      return fail(std::move(opened.error()));
    }
    connection_.emplace(std::move(*opened));
    outage_.recovered();
  }
  Result<int> full = run(windows);
  if (!full && full.error().kind == ErrorKind::Unavailable) {
    outage_.failed(full.error().message);
    connection_.reset();  // reconnect on a later request
  }
  return full;
}

Result<int> RedisRateWindows::run(const std::vector<RateWindow>& windows) {
  std::vector<std::string> args = {"EVAL", kTakeScript, std::to_string(windows.size())};
  for (const RateWindow& w : windows) args.push_back(prefix_ + w.key);
  for (const RateWindow& w : windows) {
    args.push_back(std::to_string(w.limit));
    args.push_back(std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(w.ttl).count()));
  }
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  RedisReply reply(static_cast<redisReply*>(
      redisCommandArgv(connection_->get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (!reply) return fail(Error::unavailable(connection_->error_text()));
  if (reply->type != REDIS_REPLY_INTEGER) {
    std::string what = reply->str ? std::string(reply->str, reply->len) : "an unexpected reply";
    return fail(Error::internal("rate-limit script answered " + what));
  }
  return static_cast<int>(reply->integer) - 1;
}

}  // namespace genq::bus
