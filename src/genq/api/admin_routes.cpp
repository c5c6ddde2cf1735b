#include "genq/api/admin_routes.hpp"

#include <boost/json.hpp>

#include "genq/api/admin_overview_routes.hpp"
#include "genq/api/billing_routes.hpp"
#include "genq/api/credential_routes.hpp"
#include "genq/api/guards.hpp"
#include "genq/api/job_list_routes.hpp"
#include "genq/api/request_body.hpp"
#include "genq/api/status_view.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

// POST /api/v1/admin/clients {"name"} -> {"client_id","api_key","webhook_secret"}
void create_client(Services& services, http::Request& request, http::Reply reply) {
  auto body = parse_json_object(request.body);
  if (!body) return reply(http::error_response(400, body.error().message));
  std::string name = "client";
  if (auto it = body->find("name"); it != body->end()) {
    if (!it->value().is_string() || it->value().as_string().empty() || it->value().as_string().size() > 200) {
      return reply(http::validation_error({{"name", {"The name field must be a string of 1 to 200 characters."}}}));
    }
    name = std::string(it->value().as_string());
  }
  auto created = services.accounts.create_client(name);
  if (!created) return reply(http::response_for(created.error()));
  reply(http::json_response(200, boost::json::object{{"client_id", created->client.id},
                                                     {"api_key", created->api_key},
                                                     {"webhook_secret", created->client.webhook_secret}}));
}

// POST /api/v1/admin/worker-tokens {"name"?, "models"?: [...]} -> {"token"}
void create_worker_token(Services& services, http::Request& request, http::Reply reply) {
  auto body = parse_json_object(request.body);
  if (!body) return reply(http::error_response(400, body.error().message));
  std::vector<std::string> models;
  if (auto it = body->find("models"); it != body->end() && !it->value().is_null()) {
    if (!it->value().is_array()) return reply(http::validation_error({{"models", {"The models field must be an array."}}}));
    for (const auto& m : it->value().as_array()) {
      if (!m.is_string() || !services.catalog.find_model(m.as_string())) {
        return reply(http::validation_error({{"models", {"The models field contains an unknown model."}}}));
      }
      models.push_back(services.catalog.find_model(m.as_string())->name);
    }
  }
  std::string name = "worker";
  if (auto it = body->find("name"); it != body->end() && it->value().is_string()) name = std::string(it->value().as_string());
  auto token = services.accounts.create_worker_token(name, models);
  if (!token) return reply(http::response_for(token.error()));
  reply(http::json_response(200, boost::json::object{{"token", *token}}));
}

// GET /api/v1/admin/clients -> {"data":[{"client_id","name","disabled","created_at"}]}
void list_clients(Services& services, http::Request&, http::Reply reply) {
  auto clients = services.accounts.store().list_clients();
  if (!clients) return reply(http::response_for(clients.error()));
  boost::json::array data;
  for (const auto& c : *clients) {
    data.push_back(boost::json::object{{"client_id", c.id}, {"name", c.name}, {"disabled", c.disabled},
                                       {"created_at", to_iso8601(c.created_at)}});
  }
  reply(http::json_response(200, boost::json::object{{"data", std::move(data)}}));
}

// POST /api/v1/admin/clients/{client_id}/disable | enable
void set_disabled(Services& services, http::Request& request, http::Reply reply, bool disabled) {
  if (auto s = services.accounts.store().set_client_disabled(request.param("client_id"), disabled); !s) {
    return reply(http::response_for(s.error()));
  }
  reply(http::json_response(200, boost::json::object{{"client_id", request.param("client_id")}, {"disabled", disabled}}));
}

// GET /api/v1/admin/jobs/{request_id} -> {"data":{...status document...}, "client_id"}
void get_job(Services& services, http::Request& request, http::Reply reply) {
  auto job = services.jobs.get(request.param("request_id"));
  if (!job) return reply(http::response_for(job.error().kind == ErrorKind::NotFound ? Error::not_found("Request not found.")
                                                                                      : job.error()));
  auto data = render_admin_status(*job, services);
  reply(http::json_response(200, boost::json::object{{"data", std::move(data)}}));
}

}  // namespace

void add_admin_routes(http::Router& router, Services& services) {
  using http::Exec;
  using http::Verb;
  auto admin = [&services](AdminRoute route) { return admin_route(services, route); };
  router.add(for_admins(
      services, {Verb::get, "/api/v1/admin/clients", admin(list_clients), Exec::Pool, 0, false, "admin-clients"}));
  router.add(for_admins(
      services, {Verb::post, "/api/v1/admin/clients", admin(create_client), Exec::Pool, 0, false, "admin-clients"}));
  router.add(for_admins(services, {Verb::post, "/api/v1/admin/clients/{client_id}/disable",
                                   admin([](Services& s, http::Request& r, http::Reply reply) {
                                     set_disabled(s, r, std::move(reply), true);
                                   }),
                                   Exec::Pool, 0, false, "admin-client-disable"}));
  router.add(for_admins(services, {Verb::post, "/api/v1/admin/clients/{client_id}/enable",
                                   admin([](Services& s, http::Request& r, http::Reply reply) {
                                     set_disabled(s, r, std::move(reply), false);
                                   }),
                                   Exec::Pool, 0, false, "admin-client-enable"}));
  router.add(for_admins(services, {Verb::post, "/api/v1/admin/worker-tokens", admin(create_worker_token), Exec::Pool, 0,
                                   false, "admin-worker-tokens"}));
  router.add(for_admins(
      services, {Verb::get, "/api/v1/admin/jobs/{request_id}", admin(get_job), Exec::Inline, 0, false, "admin-job"}));
  add_admin_job_list_routes(router, services);
  add_admin_overview_routes(router, services);
  add_credential_routes(router, services);
  add_admin_billing_routes(router, services);
}

}  // namespace genq::api
