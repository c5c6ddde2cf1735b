#pragma once
// The route table: method + path pattern ("/api/v1/client/request-status/{id}") ->
// handler and how to run it. Pure: matching needs no network and is unit tested.
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "genq/http/request.hpp"

namespace genq::http {

// Inline handlers run on the I/O thread and must not block (reads, cheap work).
// Pool handlers may block (durable writes waiting for a group commit).
enum class Exec { Inline, Pool };

struct Route {
  Verb method = Verb::get;
  std::string pattern;
  Handler handler;
  Exec exec = Exec::Inline;
  std::size_t body_limit = 0;    // 0 = the server's default
  bool stream_body_to_file = false;  // uploads: body goes to Request::body_file
  std::string name;              // for metrics and logs; defaults to the pattern
  // The limit for one request, from its path parameters (a submit's task decides how
  // many files of which kind it may carry); when set, it replaces body_limit.
  std::function<std::size_t(const Request&)> body_limit_for;
  // Checked from the headers alone, so a request without valid credentials costs no
  // body read, no upload spool and no 100 Continue (docs/security.md).
  Admit admit;
  // Submits that take files: a multipart/form-data body goes to Request::body_file as
  // it arrives, and its parts are read from there (api/request_body.hpp), so a large
  // upload is never held on the heap. Other bodies stay in Request::body.
  bool spool_multipart = false;
};

struct Match {
  const Route* route = nullptr;  // null: see allowed
  std::map<std::string, std::string, std::less<>> params;
  std::vector<Verb> allowed;     // non-empty when the path exists under other methods (405)
};

class Router {
 public:
  void add(Route route);
  Match match(Verb method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Compiled {
    std::vector<std::string> segments;  // "{x}" marks a parameter
  };
  static bool match_segments(const Compiled& c, const std::vector<std::string_view>& parts,
                             std::map<std::string, std::string, std::less<>>* params);

  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

}  // namespace genq::http
