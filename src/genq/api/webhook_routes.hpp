#pragma once
// The client's webhook delivery routes (SPEC §4); add_client_routes lists them in its
// table beside the account webhook settings.
#include "genq/http/request.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

void handle_list_deliveries(Services& services, http::Request& request, http::Reply reply, const Client& client);
void handle_redeliver(Services& services, http::Request& request, http::Reply reply, const Client& client);
void handle_rotate_secret(Services& services, http::Request& request, http::Reply reply, const Client& client);
void handle_recover_webhook(Services& services, http::Request& request, http::Reply reply, const Client& client);

}  // namespace genq::api
