#pragma once
// Pusher HTTP API request signing (what the official `pusher` server libraries send):
//   auth_signature = hex HMAC-SHA256(secret,
//       "METHOD\n/apps/{id}/path\nauth_key=..&auth_timestamp=..&auth_version=1.0&body_md5=..[&other=..]")
// with every query parameter but auth_signature, keys lower-cased and sorted, values
// as sent. body_md5 is the hex MD5 of a non-empty body. Pure functions; thread-safe.
#include <chrono>
#include <string>
#include <string_view>

#include "genq/core/error.hpp"

namespace genq::ws {

struct ApiCredentials {
  std::string_view key;
  std::string_view secret;
};

// Ok, or an error whose message says what was wrong (for a 401 body).
// `unix_now` is the server's time in seconds; requests outside `skew` are refused.
Status verify_api_request(std::string_view method, std::string_view path, std::string_view raw_query,
                          std::string_view body, ApiCredentials credentials, std::int64_t unix_now,
                          std::chrono::seconds skew);

// The query string a client would send (tests and tools): the given parameters plus
// auth_key, auth_timestamp, auth_version, body_md5 (when body is not empty) and
// auth_signature. `extra_query` is "k=v&k2=v2" or empty.
std::string sign_api_request(std::string_view method, std::string_view path, std::string_view extra_query,
                             std::string_view body, ApiCredentials credentials, std::int64_t unix_now);

}  // namespace genq::ws
