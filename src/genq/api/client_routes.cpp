#include "genq/api/client_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "genq/api/body_limits.hpp"
#include "genq/api/billing_routes.hpp"
#include "genq/api/guards.hpp"
#include "genq/api/job_control_routes.hpp"
#include "genq/api/job_list_routes.hpp"
#include "genq/api/queue_routes.hpp"
#include "genq/api/pagination.hpp"
#include "genq/api/request_body.hpp"
#include "genq/api/status_view.hpp"
#include "genq/api/task_view.hpp"
#include "genq/api/webhook_routes.hpp"
#include "genq/api/webhook_events.hpp"
#include "genq/api/webhook_target.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

// GET /api/v1/client/request-status/{request_id}
// 200 {"data":{...status document...}}; 404 for unknown ids and other clients' jobs.
void handle_status(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  // A second-dialect taskId ("task_<request_id>") names the same job.
  services.jobs.get_for_client(
      job_id_from_task_id(request.param("request_id")), client.id, [&services, reply](Result<Job> job) {
        if (!job) return reply(http::response_for(job.error().kind == ErrorKind::NotFound
                                                      ? Error::not_found("Request not found.")
                                                      : job.error()));
        reply(status_answer(*job, services));
      });
}

// POST /api/v1/client/request-cancel/{request_id}
// 200 with the job now in error "cancelled"; 404 unknown; 409 already final.
void handle_cancel(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  services.jobs.cancel(job_id_from_task_id(request.param("request_id")), client.id,
                       [&services, reply](Result<Job> job) {
                         if (!job) {
                           if (job.error().kind == ErrorKind::NotFound) {
                             return reply(http::error_response(404, "Request not found."));
                           }
                           if (job.error().kind == ErrorKind::Conflict) {
                             return reply(http::error_response(409, "The request has already finished and cannot be cancelled."));
                           }
                           return reply(http::response_for(job.error()));
                         }
                         reply(status_answer(*job, services));
                       });
}

// The inference types deAPI's SDK filters by, as genq's tasks name them.
std::string genq_task_name(const std::string& inference_type) {
  static const std::pair<std::string_view, std::string_view> kSdkTypes[] = {
      {"video2text", "vid2txt"},
      {"audio2text", "aud2txt"},
      {"video_file2text", "videofile2txt"},
      {"audio_file2text", "audiofile2txt"}};
  for (const auto& [sdk, task] : kSdkTypes) {
    if (sdk == inference_type) return std::string(task);
  }
  return inference_type;
}

// GET /api/v1/client/models?page=&per_page=&filter[inference_types]=a,b
// Laravel-style pagination: {"data":[...],"links":{...},"meta":{...}}.
void handle_models(Services& services, http::Request& request, http::Reply reply, const Client&) {
  http::FieldProblems problems;
  const PageRequest page = read_page_request(request, problems);
  std::vector<std::string> wanted;
  if (auto filter = request.query_param("filter[inference_types]")) {
    std::size_t start = 0;
    while (start <= filter->size()) {
      auto comma = filter->find(',', start);
      if (comma == std::string::npos) comma = filter->size();
      std::string t = genq_task_name(filter->substr(start, comma - start));
      if (!t.empty()) {
        if (!services.catalog.find_task(t)) {
          problems.push_back({"filter.inference_types", {"The selected inference type '" + t + "' is invalid."}});
        }
        wanted.push_back(t);
      }
      start = comma + 1;
    }
  }
  if (!problems.empty()) return reply(http::validation_error(problems));

  std::vector<const catalog::ModelSpec*> matching;
  for (const auto& model : services.catalog.models()) {
    bool ok = wanted.empty() || std::any_of(wanted.begin(), wanted.end(), [&](const std::string& t) {
                return std::find(model.tasks.begin(), model.tasks.end(), t) != model.tasks.end();
              });
    if (ok) matching.push_back(&model);
  }
  const auto total = static_cast<std::int64_t>(matching.size());
  boost::json::array data;
  const std::int64_t from = page.offset();
  for (std::int64_t i = from; i < std::min(total, from + page.per_page); ++i) {
    data.push_back(services.catalog.describe(*matching[i]));
  }
  reply(http::json_response(
      200, paginated(std::move(data), page, total, services.signer.public_base() + "/api/v1/client/models")));
}

boost::json::object webhook_document(const std::string& url, const std::vector<std::string>& events,
                                     const WebhookHealth& health) {
  boost::json::array list;
  for (const auto& e : events.empty() ? all_webhook_events() : events) list.emplace_back(e);
  auto time_or_null = [](const std::optional<TimePoint>& t) {
    return t ? boost::json::value(to_iso8601(*t)) : boost::json::value(nullptr);
  };
  return {{"data",
           boost::json::object{
               {"url", url.empty() ? boost::json::value(nullptr) : boost::json::value(url)},
               {"events", std::move(list)},
               // Endpoint health (docs/webhooks.md).
               {"enabled", !health.disabled_at.has_value()},
               {"disabled_at", time_or_null(health.disabled_at)},
               {"disabled_reason", health.disabled_at ? boost::json::value(health.disabled_reason)
                                                      : boost::json::value(nullptr)},
               {"failing_since", time_or_null(health.failing_since)},
               {"consecutive_failures", health.consecutive_failures},
           }}};
}

// GET /api/v1/client/account/webhook -> {"data":{"url","events"}}
void handle_get_webhook(Services&, http::Request&, http::Reply reply, const Client& client) {
  reply(http::json_response(200, webhook_document(client.webhook_url, client.webhook_events, client.webhook_health)));
}

// PUT /api/v1/client/account/webhook {"url": "https://…"|null, "events": [...]}
// 200 with the stored settings; 422 for a bad url or unknown events.
void handle_put_webhook(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  auto body = parse_json_object(request.body);
  if (!body) return reply(http::error_response(400, body.error().message));
  http::FieldProblems problems;
  std::string url;
  if (auto it = body->find("url"); it != body->end() && !it->value().is_null()) {
    if (!it->value().is_string()) {
      problems.push_back({"url", {"The url field must be a string."}});
    } else {
      url = std::string(it->value().as_string());
      if (!url.empty()) {
        if (auto problem = webhook_url_problem(url, "url", services.options)) problems.push_back({"url", {*problem}});
      }
    }
  }
  std::vector<std::string> events;
  if (auto it = body->find("events"); it != body->end() && !it->value().is_null()) {
    auto read = read_webhook_events(it->value(), "events", false);
    if (!read) {
      problems.push_back({"events", {read.error()}});
    } else {
      events = std::move(*read);
    }
  }
  for (const auto& [key, value] : *body) {
    if (key != "url" && key != "events") problems.push_back({std::string(key), {"The " + std::string(key) + " field is not supported."}});
  }
  if (!problems.empty()) return reply(http::validation_error(problems));
  if (auto s = services.accounts.store().set_account_webhook(client.id, url, events); !s) {
    return reply(http::response_for(s.error()));
  }
  reply(http::json_response(200, webhook_document(url, events, WebhookHealth{})));
}

}  // namespace

void add_client_routes(http::Router& router, Services& services) {
  using http::Exec;
  using http::Verb;
  const auto json = services.options.max_json_bytes;
  // Literal paths first: "/models" must not be taken for a task name.
  router.add(for_clients(services, {Verb::get, "/api/v1/client/models", client_route(services, handle_models),
                                    Exec::Inline, 0, false, "models"}));
  add_client_billing_routes(router, services);
  add_client_job_list_routes(router, services);
  add_client_queue_routes(router, services);
  router.add(for_clients(services, {Verb::get, "/api/v1/client/request-status/{request_id}",
                                    client_route(services, handle_status), Exec::Inline, 0, false, "request-status"}));
  router.add(
      for_clients(services, {Verb::post, "/api/v1/client/request-cancel/{request_id}",
                             client_route(services, handle_cancel), Exec::Inline, json, false, "request-cancel"}));
  add_job_control_routes(router, services);
  router.add(
      for_clients(services, {Verb::get, "/api/v1/client/account/webhook", client_route(services, handle_get_webhook),
                             Exec::Inline, 0, false, "account-webhook"}));
  router.add(
      for_clients(services, {Verb::put, "/api/v1/client/account/webhook", client_route(services, handle_put_webhook),
                             Exec::Pool, json, false, "account-webhook"}));
  router.add(for_clients(
      services, {Verb::post, "/api/v1/client/account/webhook/rotate-secret",
                 client_route(services, handle_rotate_secret), Exec::Pool, json, false, "rotate-webhook-secret"}));
  router.add(for_clients(services, {Verb::post, "/api/v1/client/account/webhook/recover",
                                    client_route(services, handle_recover_webhook), Exec::Pool, json, false,
                                    "recover-account-webhook"}));
  router.add(for_clients(
      services, {Verb::get, "/api/v1/client/webhook-deliveries", client_route(services, handle_list_deliveries),
                 Exec::Inline, 0, false, "webhook-deliveries"}));
  router.add(
      for_clients(services, {Verb::post, "/api/v1/client/webhook-deliveries/{delivery_id}/redeliver",
                             client_route(services, handle_redeliver), Exec::Pool, json, false, "webhook-redeliver"}));
  // Pool: validating a webhook_url may resolve its host (the SSRF guard).
  auto task_limit = [&services](const http::Request& r) { return submit_body_limit(services, r.param("task")); };
  router.add(for_clients(services, taking_files({Verb::post, "/api/v1/client/{task}/price-calculation",
                                                 client_route(services, handle_price), Exec::Pool, 0, false,
                                                 "price-calculation"},
                                                task_limit)));
  router.add(for_clients(services, taking_files({Verb::post, "/api/v1/client/{task}",
                                                 client_route(services, handle_submit), Exec::Inline, 0, false,
                                                 "submit"},
                                                task_limit)));
}

}  // namespace genq::api
