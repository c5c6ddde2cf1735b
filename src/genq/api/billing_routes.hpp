#pragma once
// Balance and usage (docs/api.md, "Balance and usage"): the client's
// GET /api/v1/client/balance and GET /api/v1/client/usage, and the admin's balance,
// top-up and unlimited routes.
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

// Client routes; add_client_routes adds them before its "/{task}" patterns.
void add_client_billing_routes(http::Router& router, Services& services);
// Admin routes under /api/v1/admin/clients/{client_id}/.
void add_admin_billing_routes(http::Router& router, Services& services);

}  // namespace genq::api
