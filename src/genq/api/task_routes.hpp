#pragma once
// The second API dialect (SPEC §6, seeds/003): POST /api/v1/generateTask/{model} and
// GET /api/v1/statusTask/{model}?taskId=..., served by the same job core as the
// client API. Errors use the dialect's envelope (task_view.hpp).
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

void add_task_routes(http::Router& router, Services& services);

}  // namespace genq::api
