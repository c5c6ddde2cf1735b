#include "genq/api/api_docs_routes.hpp"

#include <string>

namespace genq::api {
namespace {

http::Handler serve_embedded(std::string_view (*content)(), const char* content_type, const char* policy) {
  return [content, content_type, policy](http::Request&, http::Reply reply) {
    http::Response r;
    r.content_type = content_type;
    r.body = std::string(content());
    if (policy != nullptr) r.headers.emplace_back("Content-Security-Policy", policy);
    reply(std::move(r));
  };
}

}  // namespace

void add_api_docs_routes(http::Router& router) {
  router.add({http::Verb::get, "/openapi.json", serve_embedded(embedded_openapi_document, "application/json", nullptr),
              http::Exec::Inline, 0, false, "openapi"});
  // The page's script and style are inline and it reads only /openapi.json: the policy
  // lets nothing else load, so it cannot pull code from a CDN or anywhere else.
  router.add({http::Verb::get, "/docs/api",
              serve_embedded(embedded_api_reference_page, "text/html; charset=utf-8",
                             "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                             "connect-src 'self'"),
              http::Exec::Inline, 0, false, "api-reference"});
}

}  // namespace genq::api
