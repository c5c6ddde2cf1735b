// POST /api/v1/client/{task} and POST /api/v1/client/{task}/price-calculation.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "genq/api/client_routes.hpp"
#include "genq/api/job_creation.hpp"
#include "genq/api/request_body.hpp"
#include "genq/api/upload_check.hpp"
#include "genq/api/webhook_target.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

// Body fields genq handles itself; everything else must be a model parameter.
const std::vector<std::string> kReservedFields = {"webhook_url", "webhook_secret", "return_result_in_response"};

struct Submission {
  catalog::ValidatedRequest validated;
  SubmitBody body;
  std::string webhook_url;
  std::string webhook_secret;
};

// Validates everything a submit needs; on failure answers and returns nullopt.
std::optional<Submission> prepare(Services& services, http::Request& request, http::Reply& reply) {
  const std::string& task = request.param("task");
  if (!services.catalog.find_task(task)) {
    reply(http::error_response(404, "Unknown task '" + task + "'."));
    return std::nullopt;
  }
  auto body = parse_submit_body(request);
  if (!body) {
    reply(http::error_response(400, body.error().message));
    return std::nullopt;
  }
  auto validated = services.catalog.validate(task, body->fields, kReservedFields, body->file_names(), body->from_form);
  catalog::FieldErrors errors;
  if (!validated) errors = validated.error();

  Submission s;
  auto string_field = [&](const char* name) -> std::string {
    auto it = body->fields.find(name);
    if (it == body->fields.end() || it->value().is_null()) return {};
    if (!it->value().is_string()) {
      errors.add(name, std::string("The ") + name + " field must be a string.");
      return {};
    }
    return std::string(it->value().as_string());
  };
  s.webhook_url = string_field("webhook_url");
  s.webhook_secret = string_field("webhook_secret");
  if (!s.webhook_url.empty()) {
    if (auto problem = webhook_url_problem(s.webhook_url, "webhook_url", services.options)) {
      errors.add("webhook_url", *problem);
    }
  }
  if (!s.webhook_secret.empty()) {
    if (s.webhook_url.empty()) {
      errors.add("webhook_secret", "The webhook secret field is only allowed together with webhook_url.");
    } else if (s.webhook_secret.size() < 32 || s.webhook_secret.size() > 255) {
      errors.add("webhook_secret", "The webhook secret field must be between 32 and 255 characters.");
    }
  }
  if (auto it = body->fields.find("return_result_in_response"); it != body->fields.end()) {
    const auto& v = it->value();
    bool ok = v.is_bool() || v.is_null() ||
              (body->from_form && v.is_string() &&
               (v.as_string() == "true" || v.as_string() == "false" || v.as_string() == "1" || v.as_string() == "0"));
    if (!ok) errors.add("return_result_in_response", "The return result in response field must be true or false.");
  }
  check_uploads(services.catalog, body->files, errors);
  if (!errors.empty()) {
    reply(http::validation_error(errors.fields));
    return std::nullopt;
  }
  s.validated = std::move(*validated);
  s.body = std::move(*body);
  return s;
}

}  // namespace

void handle_price(Services& services, http::Request& request, http::Reply reply, const Client&) {
  auto s = prepare(services, request, reply);
  if (!s) return;
  double price = services.catalog.price(s->validated);
  reply(http::json_response(200, boost::json::object{
      {"data", boost::json::object{{"price", price}, {"currency", s->validated.model->pricing.currency}}}}));
}

void handle_submit(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  if (auto refused = services.rate_limiter.acquire(client.id, request.param("task"), services.jobs.clock().now())) {
    return reply(http::too_many_requests(refused->retry_after, refused->window));
  }
  auto s = prepare(services, request, reply);
  if (!s) return;
  auto idempotency_key = read_idempotency_key(request);
  if (!idempotency_key) return reply(std::move(idempotency_key.error()));
  auto price = billed_price(services, client, s->validated);
  if (!price) return reply(std::move(price.error()));

  JobDraft draft;
  draft.price_nanos = *price;
  draft.task = request.param("task");
  draft.validated = std::move(s->validated);
  draft.body = std::move(s->body);
  draft.webhook_url = std::move(s->webhook_url);
  draft.webhook_secret = std::move(s->webhook_secret);
  draft.idempotency_key = std::move(*idempotency_key);
  auto outcome = create_job(services, client, std::move(draft));
  if (!outcome) return reply(http::response_for(outcome.error()));
  reply(http::json_response(200, boost::json::object{{"data", boost::json::object{{"request_id", outcome->job.id}}}}));
}

}  // namespace genq::api
