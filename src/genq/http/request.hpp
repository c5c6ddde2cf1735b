#pragma once
// What a route handler sees of an HTTP request and what it answers. Deliberately free
// of Beast types beyond the verb, so handlers stay small and testable.
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace genq::http {

using Verb = boost::beast::http::verb;

struct Request {
  Verb method = Verb::get;
  std::string target;  // as received, with query
  std::string path;    // percent-decoded path without the query
  std::string query;   // raw query string without '?'
  boost::beast::http::fields headers;
  std::string body;       // the body, unless the route streams it to a file
  std::string body_file;  // path of the streamed body, for upload routes
  std::map<std::string, std::string, std::less<>> path_params;  // {name} segments
  std::string remote_address;
  // X-Request-Id: the client's, or one genq made (request_id.hpp). Sent back on the
  // answer and printed on the request's log lines.
  std::string id;
  // Set by an Exec::Inline handler that waits (a long-poll) before it replies: called
  // on the session's strand if the client hangs up first. The reply may then be
  // dropped; it is never written.
  std::function<void()> on_client_gone;
  // Runs `work` on the blocking pool; set by the server for every request. How an
  // Exec::Inline handler hands on the part of its work that may block (writing uploaded
  // files, downloading URL inputs) while the rest stays on the I/O thread.
  std::function<void(std::function<void()> work)> run_blocking;
  // What the route's admission check (Route::admit) learned from the headers, for its
  // handler: the authenticated client or worker token. Empty where the route has none.
  std::any principal;

  // Header value or empty.
  std::string header(std::string_view name) const;
  // Decoded query parameter, if present (first occurrence).
  std::optional<std::string> query_param(std::string_view name) const;
  // Bearer token from Authorization, or empty.
  std::string bearer_token() const;
  const std::string& param(std::string_view name) const;
};

class EventStream;

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string file_path;  // when set, the file's bytes are the body (downloads)
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, an endless body (Server-Sent Events): the status and headers go out
  // with Connection: close and no length, then the connection is handed to `stream`
  // (http/event_stream.hpp), which writes the body for as long as it wants.
  std::function<void(std::shared_ptr<EventStream>)> stream;
};

// Answers a request exactly once, from any thread.
using Reply = std::function<void(Response)>;
using Handler = std::function<void(Request&, Reply)>;
// A route's check of the request's headers, run before any body byte is read and
// before 100 Continue: the answer that ends the request (401, 403, a lost lease), or
// nothing to go on. Runs on the I/O thread: must not block.
using Admit = std::function<std::optional<Response>(Request&)>;

}  // namespace genq::http
