#pragma once
// The client API (SPEC §3): submit, price-calculation, request-status, cancel,
// models, account webhook, webhook deliveries. Each route is one line in add_client_routes.
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

void add_client_routes(http::Router& router, Services& services);

// Submit and price share validation (submit_route.cpp).
void handle_submit(Services& services, http::Request& request, http::Reply reply, const Client& client);
void handle_price(Services& services, http::Request& request, http::Reply reply, const Client& client);

}  // namespace genq::api
