#pragma once
// A client's control over jobs it already submitted, beyond cancel (docs/api.md,
// "Retry and purge"):
//   POST /api/v1/client/request-retry/{request_id}  a job that ended in error runs again
//   POST /api/v1/client/queue/purge                 cancels the client's pending jobs
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

void add_job_control_routes(http::Router& router, Services& services);

}  // namespace genq::api
