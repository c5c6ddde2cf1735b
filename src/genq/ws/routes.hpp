#pragma once
// The HTTP side of the Pusher server:
//   POST /broadcasting/auth                      channel authorisation for API clients
//   GET  /api/v1/client/realtime                 the key, path and channel a client follows its jobs on
//   POST /apps/{app_id}/events                   Pusher HTTP API (signed requests)
//   POST /apps/{app_id}/batch_events
//   GET  /apps/{app_id}/channels
//   GET  /apps/{app_id}/channels/{channel_name}
//   GET  /apps/{app_id}/channels/{channel_name}/users
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::ws {

class PusherServer;

void add_auth_route(http::Router& router, Services& services, PusherServer& server);
void add_http_api_routes(http::Router& router, PusherServer& server);
void add_realtime_route(http::Router& router, Services& services, PusherServer& server);

inline void add_pusher_routes(http::Router& router, Services& services, PusherServer& server) {
  add_auth_route(router, services, server);
  add_realtime_route(router, services, server);
  add_http_api_routes(router, server);
}

}  // namespace genq::ws
