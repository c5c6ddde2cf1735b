#include "genq/bus/redis/redis_endpoint.hpp"

#include <boost/url/parse.hpp>

#include <charconv>

namespace genq::bus {

std::string RedisEndpoint::channel() const { return "genq:" + std::to_string(db) + ":jobs"; }

std::string RedisEndpoint::describe() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "redis://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" + std::to_string(db);
}

Result<RedisEndpoint> parse_redis_url(std::string_view url) {
  const auto invalid = [&url](const std::string& why) {
    return fail(Error::invalid("--bus: " + why + " (want redis://[:PASSWORD@]HOST[:PORT][/DB], got '" +
                               std::string(url) + "')"));
  };
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return invalid("not a URL");
  if (parsed->scheme() != "redis") return invalid("the scheme must be redis");
  if (parsed->has_query() || parsed->has_fragment()) return invalid("no query or fragment is understood");
  RedisEndpoint endpoint;
  endpoint.host = parsed->host_address();
  if (endpoint.host.empty()) return invalid("no host");
  if (parsed->has_port()) {
    if (parsed->port_number() == 0) return invalid("bad port");
    endpoint.port = parsed->port_number();
  }
  if (parsed->has_password()) endpoint.password = parsed->password();
  std::string path = parsed->path();
  if (!path.empty() && path != "/") {
    std::string_view digits = std::string_view(path).substr(1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), endpoint.db);
    if (ec != std::errc() || end != digits.data() + digits.size() || endpoint.db < 0) {
      return invalid("the path must be a database number");
    }
  }
  return endpoint;
}

}  // namespace genq::bus
