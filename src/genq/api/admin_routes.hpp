#pragma once
// Admin API (Bearer admin token): clients, worker tokens, any job, the job list and
// the dashboard's overviews (workers, queue).
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

void add_admin_routes(http::Router& router, Services& services);

}  // namespace genq::api
