#pragma once
// What an operator's dashboard reads besides the job list (docs/api.md, "Admin API"):
// GET /api/v1/admin/workers (presence, from the store: every node answers the same),
// GET /api/v1/admin/queue (pending and leased jobs by model) and
// GET /api/v1/admin/worker-tokens (never a token or its hash).
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

void add_admin_overview_routes(http::Router& router, Services& services);

}  // namespace genq::api
