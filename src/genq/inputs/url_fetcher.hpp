#pragma once
// Downloads a client's input file from a URL (deAPI's source_url, video_url,
// audio_url), for the submit that names it: one blocking GET on libcurl with a
// size and a time limit.
//
// The webhooks' SSRF guard protects it (SPEC §4): every connection libcurl opens,
// redirects included, goes through CURLOPT_OPENSOCKETFUNCTION and the webhooks'
// AddressPolicy, so a URL (or a redirect, or a DNS answer) that leads to a loopback,
// private or otherwise refused address is never connected to. Only https is spoken
// unless the operator allows plain http for webhooks (--webhook-allow-http);
// proxies from the environment are ignored.
//
// Thread-safe (a handle per call). Blocks up to the time limit: call it on the
// blocking pool.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>

#include "genq/core/error.hpp"
#include "genq/webhook/address_guard.hpp"

namespace genq::inputs {

struct FetchLimits {
  std::size_t max_bytes = 80 * 1024 * 1024;
  std::chrono::milliseconds timeout{60'000};  // the whole download
  bool allow_http = false;
  webhook::AddressPolicy policy;
  // Downloads at once; each holds a blocking-pool thread, so slow URLs must not
  // take them all from the submits that need none.
  int max_concurrent = 8;
};

struct FetchedFile {
  std::string data;
  std::string content_type;  // as the server named it, without parameters; may be empty
  std::string filename;      // the URL path's last segment, may be empty
};

// The body of a 2xx answer. Invalid with a reason a client can act on ("the server
// answered 404", "is larger than 80 MiB", "is refused: 127.0.0.1 is a loopback
// address", "could not be downloaded within 60 s") otherwise.
Result<FetchedFile> fetch_url(const std::string& url, const FetchLimits& limits);

// fetch_url with at most limits.max_concurrent downloads at once; past that,
// Unavailable ("try again shortly") without connecting. Thread-safe.
class InputFetcher {
 public:
  explicit InputFetcher(FetchLimits limits) : limits_(std::move(limits)) {}
  Result<FetchedFile> fetch(const std::string& url);

 private:
  const FetchLimits limits_;
  std::atomic<int> in_flight_{0};
};

}  // namespace genq::inputs
