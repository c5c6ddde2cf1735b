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

// Reads max_priority, max_queued and max_running from an admin body into `limits`;
// absent fields keep what `limits` holds. Problems are by field.
http::FieldProblems read_limits(const boost::json::object& body, ClientLimits& limits) {
  http::FieldProblems problems;
  if (auto it = body.find("max_priority"); it != body.end()) {
    std::optional<Priority> priority;
    if (it->value().is_string()) priority = parse_priority(std::string_view(it->value().as_string()));
    if (!priority) {
      problems.push_back({"max_priority", {"The max_priority field must be low, normal or high."}});
    } else {
      limits.max_priority = *priority;
    }
  }
  for (const char* name : {"max_queued", "max_running"}) {
    auto it = body.find(name);
    if (it == body.end()) continue;
    if (!it->value().is_int64() || it->value().as_int64() < 0 || it->value().as_int64() > 1'000'000'000) {
      problems.push_back({name, {std::string("The ") + name + " field must be an integer from 0 (no cap) to 1000000000."}});
      continue;
    }
    (std::string_view(name) == "max_queued" ? limits.max_queued : limits.max_running) = it->value().as_int64();
  }
  return problems;
}

void put_limits(boost::json::object& out, const ClientLimits& limits) {
  out["max_priority"] = to_string(limits.max_priority);
  out["max_queued"] = limits.max_queued;
  out["max_running"] = limits.max_running;
}

// POST /api/v1/admin/clients {"name", "max_priority", "max_queued", "max_running"}
//   -> {"client_id","api_key","webhook_secret","max_priority","max_queued","max_running"}
void create_client(Services& services, http::Request& request, http::Reply reply) {
  auto body = parse_json_object(request.body);
  if (!body) return reply(http::error_response(400, body.error().message));
  ClientLimits limits;
  if (auto problems = read_limits(*body, limits); !problems.empty()) return reply(http::validation_error(problems));
  std::string name = "client";
  if (auto it = body->find("name"); it != body->end()) {
    if (!it->value().is_string() || it->value().as_string().empty() || it->value().as_string().size() > 200) {
      return reply(http::validation_error({{"name", {"The name field must be a string of 1 to 200 characters."}}}));
    }
    name = std::string(it->value().as_string());
  }
  auto created = services.accounts.create_client(name, limits);
  if (!created) return reply(http::response_for(created.error()));
  boost::json::object out{{"client_id", created->client.id},
                          {"api_key", created->api_key},
                          {"webhook_secret", created->client.webhook_secret}};
  put_limits(out, created->client.limits);
  reply(http::json_response(200, std::move(out)));
}

// PATCH /api/v1/admin/clients/{client_id}/limits {"max_priority"?, "max_queued"?,
// "max_running"?} -> {"client_id","max_priority","max_queued","max_running"}. Absent
// fields keep their value. Submits see the change within the credential cache's 5 s,
// claims at once. 404 unknown client; 422 a bad value.
void update_limits(Services& services, http::Request& request, http::Reply reply) {
  auto body = parse_json_object(request.body);
  if (!body) return reply(http::error_response(400, body.error().message));
  auto client = services.accounts.store().get_client(request.param("client_id"));
  if (!client) return reply(http::response_for(client.error()));
  ClientLimits limits = client->limits;
  if (auto problems = read_limits(*body, limits); !problems.empty()) return reply(http::validation_error(problems));
  if (auto s = services.accounts.store().set_client_limits(client->id, limits); !s) {
    return reply(http::response_for(s.error()));
  }
  boost::json::object out{{"client_id", client->id}};
  put_limits(out, limits);
  reply(http::json_response(200, std::move(out)));
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

// GET /api/v1/admin/clients -> {"data":[{"client_id","name","disabled","created_at",
//   "max_priority","max_queued","max_running"}]}
void list_clients(Services& services, http::Request&, http::Reply reply) {
  auto clients = services.accounts.store().list_clients();
  if (!clients) return reply(http::response_for(clients.error()));
  boost::json::array data;
  for (const auto& c : *clients) {
    boost::json::object entry{{"client_id", c.id}, {"name", c.name}, {"disabled", c.disabled},
                              {"created_at", to_iso8601(c.created_at)}};
    put_limits(entry, c.limits);
    data.push_back(std::move(entry));
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
  router.add(for_admins(services, {Verb::patch, "/api/v1/admin/clients/{client_id}/limits", admin(update_limits),
                                   Exec::Pool, 0, false, "admin-client-limits"}));
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
