#pragma once
// Where the Redis event bus connects: `redis://[:PASSWORD@]HOST[:PORT][/DB]`, as given
// to `genq serve --bus`. Redis pub/sub ignores databases (a channel is seen from every
// DB), so DB only names the channel: nodes on different DBs of one Redis do not hear
// each other, as one would expect of a DB number.
#include <cstdint>
#include <string>
#include <string_view>

#include "genq/core/error.hpp"

namespace genq::bus {

struct RedisEndpoint {
  std::string host;
  std::uint16_t port = 6379;
  std::string password;  // empty: no AUTH
  int db = 0;

  // "genq:DB:jobs": the pub/sub channel of job changes.
  std::string channel() const;
  // "redis://HOST:PORT/DB" without the password, for logs and /readyz.
  std::string describe() const;
};

// Invalid with the reason when `url` is not of the form above.
Result<RedisEndpoint> parse_redis_url(std::string_view url);

}  // namespace genq::bus
