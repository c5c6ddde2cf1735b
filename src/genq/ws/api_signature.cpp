#include "genq/ws/api_signature.hpp"

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include <algorithm>
#include <charconv>
#include <map>

#include "genq/crypto/crypto.hpp"

namespace genq::ws {
namespace {

using Params = std::map<std::string, std::string>;  // sorted by key, as signing needs

Result<Params> parse_params(std::string_view raw_query) {
  Params params;
  if (raw_query.empty()) return params;
  auto parsed = boost::urls::parse_query(raw_query);
  if (!parsed) return fail(Error::invalid("Malformed query string."));
  for (auto param : boost::urls::params_view(*parsed)) {
    std::string key(param.key);
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!params.emplace(std::move(key), std::string(param.value)).second) {
      return fail(Error::invalid("Duplicate query parameter '" + std::string(param.key) + "'."));
    }
  }
  return params;
}

std::string string_to_sign(std::string_view method, std::string_view path, const Params& params) {
  std::string text(method);
  text.append("\n").append(path).append("\n");
  bool first = true;
  for (const auto& [key, value] : params) {
    if (key == "auth_signature") continue;
    if (!first) text.push_back('&');
    first = false;
    text.append(key).append("=").append(value);
  }
  return text;
}

const std::string* find(const Params& params, const char* key) {
  auto it = params.find(key);
  return it == params.end() ? nullptr : &it->second;
}

}  // namespace

Status verify_api_request(std::string_view method, std::string_view path, std::string_view raw_query,
                          std::string_view body, ApiCredentials credentials, std::int64_t unix_now,
                          std::chrono::seconds skew) {
  auto params = parse_params(raw_query);
  if (!params) return fail(params.error());
  const auto* key = find(*params, "auth_key");
  const auto* timestamp = find(*params, "auth_timestamp");
  const auto* version = find(*params, "auth_version");
  const auto* signature = find(*params, "auth_signature");
  if (!key || !timestamp || !version || !signature) {
    return fail(Error::invalid("auth_key, auth_timestamp, auth_version and auth_signature are required."));
  }
  if (!crypto::constant_time_equal(*key, credentials.key)) return fail(Error::invalid("Unknown auth_key."));
  if (*version != "1.0") return fail(Error::invalid("Unsupported auth_version (only 1.0)."));
  std::int64_t at = 0;
  auto [end, ec] = std::from_chars(timestamp->data(), timestamp->data() + timestamp->size(), at);
  if (ec != std::errc() || end != timestamp->data() + timestamp->size()) {
    return fail(Error::invalid("auth_timestamp must be a Unix time in seconds."));
  }
  if (at < unix_now - skew.count() || at > unix_now + skew.count()) {
    return fail(Error::invalid("auth_timestamp is more than " + std::to_string(skew.count()) +
                               " seconds away from the server's time."));
  }
  if (!body.empty()) {
    const auto* md5 = find(*params, "body_md5");
    if (!md5 || !crypto::constant_time_equal(*md5, crypto::md5_hex(body))) {
      return fail(Error::invalid("body_md5 does not match the request body."));
    }
  }
  std::string expected = crypto::hmac_sha256_hex(credentials.secret, string_to_sign(method, path, *params));
  if (!crypto::constant_time_equal(*signature, expected)) return fail(Error::invalid("Invalid auth_signature."));
  return {};
}

std::string sign_api_request(std::string_view method, std::string_view path, std::string_view extra_query,
                             std::string_view body, ApiCredentials credentials, std::int64_t unix_now) {
  Params params = parse_params(extra_query).value_or(Params{});
  params["auth_key"] = std::string(credentials.key);
  params["auth_timestamp"] = std::to_string(unix_now);
  params["auth_version"] = "1.0";
  if (!body.empty()) params["body_md5"] = crypto::md5_hex(body);
  std::string query;
  for (const auto& [key, value] : params) {
    if (!query.empty()) query.push_back('&');
    query.append(key).append("=").append(value);
  }
  query.append("&auth_signature=")
      .append(crypto::hmac_sha256_hex(credentials.secret, string_to_sign(method, path, params)));
  return query;
}

}  // namespace genq::ws
