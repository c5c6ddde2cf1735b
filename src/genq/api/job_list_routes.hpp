#pragma once
// Job lists (docs/api.md, "Listing jobs" and "Admin API"): GET /api/v1/client/jobs,
// the calling client's jobs, and GET /api/v1/admin/jobs, any client's. Newest first,
// paginated like GET /api/v1/client/usage; each item is the request-status document
// without its preview.
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

// Client route; add_client_routes adds it before its "/{task}" patterns.
void add_client_job_list_routes(http::Router& router, Services& services);
// GET /api/v1/admin/jobs.
void add_admin_job_list_routes(http::Router& router, Services& services);

}  // namespace genq::api
