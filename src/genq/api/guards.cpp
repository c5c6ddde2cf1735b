#include "genq/api/guards.hpp"

#include "genq/http/responses.hpp"

namespace genq::api {

http::Handler client_only(Services& services, ClientHandler handler) {
  return [&services, handler = std::move(handler)](http::Request& request, http::Reply reply) {
    auto client = services.accounts.authenticate_client(request.bearer_token());
    if (!client) {
      if (client.error().kind != ErrorKind::NotFound) return reply(http::response_for(client.error()));
      return reply(http::unauthenticated());
    }
    handler(request, std::move(reply), *client);
  };
}

http::Handler client_route(Services& services, ClientRoute route) {
  return client_only(services, [&services, route](http::Request& r, http::Reply reply, const Client& c) {
    route(services, r, std::move(reply), c);
  });
}

http::Handler worker_only(Services& services, WorkerHandler handler) {
  return [&services, handler = std::move(handler)](http::Request& request, http::Reply reply) {
    auto worker = services.accounts.authenticate_worker(request.bearer_token());
    if (!worker) {
      if (worker.error().kind != ErrorKind::NotFound) return reply(http::response_for(worker.error()));
      return reply(http::unauthenticated());
    }
    handler(request, std::move(reply), *worker);
  };
}

http::Handler admin_only(Services& services, http::Handler handler) {
  return [&services, handler = std::move(handler)](http::Request& request, http::Reply reply) {
    if (!services.accounts.is_admin(request.bearer_token())) return reply(http::unauthenticated());
    handler(request, std::move(reply));
  };
}

}  // namespace genq::api
