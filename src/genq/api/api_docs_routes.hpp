#pragma once
// The machine-readable API: GET /openapi.json (docs/openapi.json) and GET /docs/api,
// a page that renders it in the browser (docs/api-reference.html), both compiled into
// the binary (cmake/embedded_api_docs.cmake). No credentials: they describe the API
// and hold no data.
#include <string_view>

#include "genq/http/router.hpp"

namespace genq::api {

// docs/openapi.json and docs/api-reference.html as they were when genq was built.
std::string_view embedded_openapi_document();
std::string_view embedded_api_reference_page();

void add_api_docs_routes(http::Router& router);

}  // namespace genq::api
