// An HTTP request as genq's server reads it: Beast's parser with genq's header and
// body limits, then the target split, percent-decoded and matched against routes
// shaped like genq's (path parameters, methods). Nothing may read out of bounds, and
// a matched route's parameters must come from the path.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "fuzz_input.hpp"
#include "genq/http/router.hpp"
#include "genq/http/target.hpp"

namespace {

const genq::http::Router& routes() {
  static const genq::http::Router router = [] {
    genq::http::Router r;
    using genq::http::Verb;
    const auto none = [](genq::http::Request&, genq::http::Reply) {};
    for (const char* pattern : {"/api/v1/client/{task}", "/api/v1/client/request-status/{request_id}",
                                "/api/v1/client/{task}/price-calculation", "/api/v1/worker/jobs/{job_id}/result",
                                "/files/{kind}/{id}/{name}", "/apps/{app_id}/channels/{channel_name}/users", "/healthz"}) {
      r.add({Verb::get, pattern, none});
      r.add({Verb::post, pattern, none});
    }
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1024 * 1024);
  parser.eager(true);
  boost::system::error_code ec;
  const auto* bytes = reinterpret_cast<const char*>(data);
  std::size_t used = 0;
  while (used < size && !parser.is_done()) {
    const std::size_t n = parser.put(boost::asio::buffer(bytes + used, size - used), ec);
    if (ec == http::error::need_more) break;
    if (ec || n == 0) return 0;
    used += n;
  }
  if (!parser.is_header_done()) return 0;
  const auto& request = parser.get();
  std::string path, query;
  if (!genq::http::split_target(request.target(), path, query)) return 0;
  const std::string tidy = genq::http::without_extra_slashes(path);
  (void)genq::http::find_query_param(query, "page");
  (void)genq::http::percent_decode(query, true);
  const auto match = routes().match(request.method(), tidy);
  for (const auto& [name, value] : match.params) {
    if (value.size() > tidy.size() * 3) __builtin_trap();  // decoded from the path, never longer
  }
  return 0;
}
