#include "genq/api/guards.hpp"

#include <utility>

#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

// The credential check every guard makes: the principal, or the answer that refuses.
template <class Principal>
std::expected<Principal, http::Response> refused_unless(Result<Principal> found) {
  if (found) return std::move(*found);
  if (found.error().kind != ErrorKind::NotFound) return std::unexpected(http::response_for(found.error()));
  return std::unexpected(http::unauthenticated());
}

std::expected<Client, http::Response> client_of(Services& services, http::Request& request) {
  if (const Client* admitted = std::any_cast<Client>(&request.principal)) return *admitted;
  return refused_unless(services.accounts.authenticate_client(request.bearer_token()));
}

std::expected<WorkerToken, http::Response> worker_of(Services& services, http::Request& request) {
  if (const WorkerToken* admitted = std::any_cast<WorkerToken>(&request.principal)) return *admitted;
  return refused_unless(services.accounts.authenticate_worker(request.bearer_token()));
}

struct AdminPrincipal {};

}  // namespace

http::Handler client_only(Services& services, ClientHandler handler) {
  return [&services, handler = std::move(handler)](http::Request& request, http::Reply reply) {
    auto client = client_of(services, request);
    if (!client) return reply(std::move(client.error()));
    handler(request, std::move(reply), *client);
  };
}

http::Handler client_route(Services& services, ClientRoute route) {
  return client_only(services, [&services, route](http::Request& r, http::Reply reply, const Client& c) {
    route(services, r, std::move(reply), c);
  });
}

http::Handler admin_route(Services& services, AdminRoute route) {
  return admin_only(services,
                    [&services, route](http::Request& r, http::Reply reply) { route(services, r, std::move(reply)); });
}

http::Handler worker_only(Services& services, WorkerHandler handler) {
  return [&services, handler = std::move(handler)](http::Request& request, http::Reply reply) {
    auto worker = worker_of(services, request);
    if (!worker) return reply(std::move(worker.error()));
    handler(request, std::move(reply), *worker);
  };
}

http::Handler admin_only(Services& services, http::Handler handler) {
  return [&services, handler = std::move(handler)](http::Request& request, http::Reply reply) {
    if (!std::any_cast<AdminPrincipal>(&request.principal) && !services.accounts.is_admin(request.bearer_token())) {
      return reply(http::unauthenticated());
    }
    handler(request, std::move(reply));
  };
}

http::Admit client_admission(Services& services) {
  return [&services](http::Request& request) -> std::optional<http::Response> {
    auto client = client_of(services, request);
    if (!client) return std::move(client.error());
    request.principal = std::move(*client);
    return std::nullopt;
  };
}

http::Admit worker_admission(Services& services) {
  return [&services](http::Request& request) -> std::optional<http::Response> {
    auto worker = worker_of(services, request);
    if (!worker) return std::move(worker.error());
    request.principal = std::move(*worker);
    return std::nullopt;
  };
}

http::Admit admin_admission(Services& services) {
  return [&services](http::Request& request) -> std::optional<http::Response> {
    if (!services.accounts.is_admin(request.bearer_token())) return http::unauthenticated();
    request.principal = AdminPrincipal{};
    return std::nullopt;
  };
}

http::Route for_clients(Services& services, http::Route route) {
  route.admit = client_admission(services);
  return route;
}

http::Route for_workers(Services& services, http::Route route) {
  route.admit = worker_admission(services);
  return route;
}

http::Route for_admins(Services& services, http::Route route) {
  route.admit = admin_admission(services);
  return route;
}

}  // namespace genq::api
