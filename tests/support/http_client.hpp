#pragma once
// A small blocking HTTP client on libcurl for tests: any method, extra headers, raw,
// JSON or multipart bodies, and absolute URLs (e.g. a signed result_url) as well as
// paths under the base URL. Each call uses its own curl handle, so one HttpClient may
// be used from several threads at once (a long-poll claim beside a submit).
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace genq::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  long status = 0;         // 0 when no response came (see transport_error)
  Headers headers;         // names lower-cased, in arrival order
  std::string body;
  std::string transport_error;  // curl's message when the exchange failed
  std::chrono::milliseconds elapsed{0};

  // The first header of that name (case-insensitive), if any.
  std::optional<std::string> header(std::string_view name) const;
  // Parses the body as JSON; throws std::runtime_error naming the body otherwise.
  boost::json::value json() const;
  // "HTTP 422 {...}" (body cut to 2000 characters): for assertion messages.
  std::string describe() const;
};

// One part of a multipart/form-data body that carries a file.
struct FilePart {
  std::string field;         // form field name, e.g. "image"
  std::string path;          // file to send
  std::string content_type;  // e.g. "image/png"; empty lets curl guess
  std::string filename;      // name sent to the server; empty = basename of path
};

struct MultipartBody {
  std::vector<std::pair<std::string, std::string>> fields;  // plain text fields
  std::vector<FilePart> files;
};

class HttpClient {
 public:
  // `base_url` like "http://127.0.0.1:43210" (no trailing slash needed).
  explicit HttpClient(std::string base_url, Headers default_headers = {});

  // A copy that sends `Authorization: Bearer <token>` on every request.
  HttpClient with_bearer(const std::string& token) const;
  // A copy with a different per-request timeout (default 30 s).
  HttpClient with_timeout(std::chrono::milliseconds timeout) const;

  const std::string& base_url() const { return base_url_; }

  // `target` is a path ("/api/v1/…", joined to the base URL) or an absolute URL.
  // A non-empty body is sent as is with `content_type` (if not empty).
  HttpResponse request(std::string_view method, std::string_view target,
                       std::string_view body = {}, std::string_view content_type = {},
                       const Headers& headers = {}) const;

  HttpResponse get(std::string_view target, const Headers& headers = {}) const;
  HttpResponse del(std::string_view target, const Headers& headers = {}) const;
  HttpResponse post_json(std::string_view target, const boost::json::value& body,
                         const Headers& headers = {}) const;
  HttpResponse put_json(std::string_view target, const boost::json::value& body,
                        const Headers& headers = {}) const;
  HttpResponse post_multipart(std::string_view target, const MultipartBody& body,
                              const Headers& headers = {}) const;

 private:
  HttpResponse perform(std::string_view method, std::string_view target, std::string_view body,
                       std::string_view content_type, const MultipartBody* multipart,
                       const Headers& headers) const;

  std::string base_url_;
  Headers default_headers_;
  std::chrono::milliseconds timeout_{30000};
};

// URL-encodes one query-string component.
std::string url_encode(std::string_view text);

// JSON lookups that never throw, for tests that want to assert on a missing field
// rather than crash: `pointer` is an RFC 6901 JSON pointer such as "/data/status".
const boost::json::value* json_at(const boost::json::value& root, std::string_view pointer);
// The string at `pointer`; for other kinds their JSON text; "<missing>" when absent.
std::string text_at(const boost::json::value& root, std::string_view pointer);

}  // namespace genq::testing
