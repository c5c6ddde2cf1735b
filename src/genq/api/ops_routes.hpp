#pragma once
// Operational routes: signed file downloads (SPEC §7), /healthz, /readyz, /metrics.
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

void add_ops_routes(http::Router& router, Services& services);

}  // namespace genq::api
