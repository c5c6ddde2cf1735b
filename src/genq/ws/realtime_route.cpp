// GET /api/v1/client/realtime: what a client needs to follow its jobs over the
// WebSocket without reading the server's configuration: the public app key, the
// socket path, the authorisation endpoint, its private channel and the event name.
// The playground and `genq submit --wait` read it; pusher-js users may too.
#include <boost/json/object.hpp>

#include "genq/http/responses.hpp"
#include "genq/ws/channel_name.hpp"
#include "genq/ws/pusher_server.hpp"
#include "genq/ws/routes.hpp"

namespace genq::ws {
namespace {

// 200 {"data":{"key","cluster","ws_path","protocol","auth_endpoint","channel","event"}}
// for a valid API key; 401 otherwise. The key is public (browsers embed it); the
// secret never leaves the server.
void handle_realtime(Services& services, const PusherServer& server, http::Request& request, http::Reply reply) {
  auto client = services.accounts.authenticate_client(request.bearer_token());
  if (!client) {
    if (client.error().kind != ErrorKind::NotFound) return reply(http::response_for(client.error()));
    return reply(http::unauthenticated());
  }
  const PusherOptions& options = server.options();
  reply(http::json_response(200, boost::json::object{{"data", boost::json::object{
                                                                  {"key", options.key},
                                                                  {"cluster", "mt1"},
                                                                  {"ws_path", "/app/" + options.key},
                                                                  {"protocol", 7},
                                                                  {"auth_endpoint", "/broadcasting/auth"},
                                                                  {"channel", client_channel(client->id)},
                                                                  {"event", "request.status.updated"},
                                                              }}}));
}

}  // namespace

void add_realtime_route(http::Router& router, Services& services, PusherServer& server) {
  router.add({http::Verb::get, "/api/v1/client/realtime",
              [&services, &server](http::Request& r, http::Reply reply) { handle_realtime(services, server, r, reply); },
              http::Exec::Inline, 0, false, "client-realtime"});
}

}  // namespace genq::ws
