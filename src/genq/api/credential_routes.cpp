#include "genq/api/credential_routes.hpp"

#include <boost/json.hpp>

#include "genq/api/credential_view.hpp"
#include "genq/api/guards.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

// A store NotFound names what was not found; the answer says it the API's way.
http::Response not_found_or(const Error& error, const char* what) {
  if (error.kind == ErrorKind::NotFound) return http::error_response(404, std::string(what) + " not found.");
  return http::response_for(error);
}

// GET /api/v1/admin/clients/{client_id}/api-keys -> {"data":[{"id","created_at"}]}
void list_api_keys(Services& services, http::Request& request, http::Reply reply) {
  auto keys = services.accounts.store().list_api_keys(request.param("client_id"));
  if (!keys) return reply(not_found_or(keys.error(), "Client"));
  boost::json::array data;
  for (const ApiKeyInfo& key : *keys) data.push_back(api_key_view(key));
  reply(http::json_response(200, boost::json::object{{"data", std::move(data)}}));
}

// POST /api/v1/admin/clients/{client_id}/api-keys -> {"id","api_key"} (the key shown once)
void add_api_key(Services& services, http::Request& request, http::Reply reply) {
  auto added = services.accounts.add_api_key(request.param("client_id"));
  if (!added) return reply(not_found_or(added.error(), "Client"));
  reply(http::json_response(200, boost::json::object{{"id", added->id}, {"api_key", added->key}}));
}

// DELETE /api/v1/admin/clients/{client_id}/api-keys/{key_id} -> {"id","revoked":true}
void revoke_api_key(Services& services, http::Request& request, http::Reply reply) {
  const std::string key_id = request.param("key_id");
  if (auto revoked = services.accounts.store().revoke_api_key(request.param("client_id"), key_id); !revoked) {
    return reply(not_found_or(revoked.error(), "API key"));
  }
  reply(http::json_response(200, boost::json::object{{"id", key_id}, {"revoked", true}}));
}

// POST /api/v1/admin/worker-tokens/{token_id}/disable | enable -> {"id","disabled"}
void set_token_disabled(Services& services, http::Request& request, http::Reply reply, bool disabled) {
  const std::string id = request.param("token_id");
  if (auto changed = services.accounts.store().set_worker_token_disabled(id, disabled); !changed) {
    return reply(not_found_or(changed.error(), "Worker token"));
  }
  reply(http::json_response(200, boost::json::object{{"id", id}, {"disabled", disabled}}));
}

// DELETE /api/v1/admin/worker-tokens/{token_id} -> {"id","deleted":true}
void delete_token(Services& services, http::Request& request, http::Reply reply) {
  const std::string id = request.param("token_id");
  if (auto deleted = services.accounts.store().delete_worker_token(id); !deleted) {
    return reply(not_found_or(deleted.error(), "Worker token"));
  }
  reply(http::json_response(200, boost::json::object{{"id", id}, {"deleted", true}}));
}

}  // namespace

void add_credential_routes(http::Router& router, Services& services) {
  using http::Exec;
  using http::Verb;
  auto admin = [&services](AdminRoute route) { return admin_route(services, route); };
  // Pool: each reads or writes the database.
  router.add(for_admins(services, {Verb::get, "/api/v1/admin/clients/{client_id}/api-keys", admin(list_api_keys),
                                   Exec::Pool, 0, false, "admin-api-keys"}));
  router.add(for_admins(services, {Verb::post, "/api/v1/admin/clients/{client_id}/api-keys", admin(add_api_key),
                                   Exec::Pool, 0, false, "admin-api-keys"}));
  router.add(for_admins(services, {Verb::delete_, "/api/v1/admin/clients/{client_id}/api-keys/{key_id}",
                                   admin(revoke_api_key), Exec::Pool, 0, false, "admin-api-key"}));
  router.add(for_admins(services, {Verb::post, "/api/v1/admin/worker-tokens/{token_id}/disable",
                                   admin([](Services& s, http::Request& r, http::Reply reply) {
                                     set_token_disabled(s, r, std::move(reply), true);
                                   }),
                                   Exec::Pool, 0, false, "admin-worker-token-disable"}));
  router.add(for_admins(services, {Verb::post, "/api/v1/admin/worker-tokens/{token_id}/enable",
                                   admin([](Services& s, http::Request& r, http::Reply reply) {
                                     set_token_disabled(s, r, std::move(reply), false);
                                   }),
                                   Exec::Pool, 0, false, "admin-worker-token-enable"}));
  router.add(for_admins(services, {Verb::delete_, "/api/v1/admin/worker-tokens/{token_id}", admin(delete_token),
                                   Exec::Pool, 0, false, "admin-worker-token"}));
}

}  // namespace genq::api
