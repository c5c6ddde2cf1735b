// POST /api/v1/client/{task} and POST /api/v1/client/{task}/price-calculation.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <random>

#include "genq/api/client_routes.hpp"
#include "genq/api/request_body.hpp"
#include "genq/api/webhook_target.hpp"
#include "genq/crypto/crypto.hpp"
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
  for (const auto& file : body->files) {
    if (file.data.empty()) errors.add(file.name, "The " + file.name + " file must not be empty.");
  }
  if (!errors.empty()) {
    reply(http::validation_error(errors.fields));
    return std::nullopt;
  }
  s.validated = std::move(*validated);
  s.body = std::move(*body);
  return s;
}

std::string file_extension(const http::FormPart& part) {
  auto dot = part.filename.rfind('.');
  if (dot == std::string::npos) return "";
  std::string ext;
  for (char c : part.filename.substr(dot + 1)) {
    if (std::isalnum(static_cast<unsigned char>(c)) && ext.size() < 8) ext.push_back(static_cast<char>(std::tolower(c)));
  }
  return ext.empty() ? "" : "." + ext;
}

// A stable digest of what was asked, for Idempotency-Key comparisons.
std::string request_digest(const std::string& task, const SubmitBody& body) {
  std::string canonical = task + "\n" + boost::json::serialize(body.fields);
  for (const auto& f : body.files) canonical += "\n" + f.name + ":" + crypto::sha256_hex(f.data);
  return crypto::sha256_hex(canonical);
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
  if (auto retry_after = services.rate_limiter.acquire(client.id, request.param("task"), services.jobs.clock().now())) {
    http::Response r = http::error_response(429, "Too many requests. Retry after " +
                                                     std::to_string(retry_after->count()) + " seconds.");
    r.headers.emplace_back("Retry-After", std::to_string(retry_after->count()));
    return reply(std::move(r));
  }
  auto s = prepare(services, request, reply);
  if (!s) return;
  std::string idempotency_key = request.header("Idempotency-Key");
  if (idempotency_key.size() > 255) {
    return reply(http::error_response(400, "The Idempotency-Key header must be at most 255 characters."));
  }

  // seed -1 means random: fix it now so a retried job produces the same output.
  if (auto it = s->validated.params.find("seed"); it != s->validated.params.end() && it->value().is_int64() &&
                                                 it->value().as_int64() == -1) {
    std::random_device rd;
    it->value() = static_cast<std::int64_t>(rd() % 4294967296ull);
  }

  NewJob job;
  job.id = crypto::uuid_v4();
  job.client_id = client.id;
  job.task = request.param("task");
  job.model = s->validated.model->name;
  job.params_json = boost::json::serialize(s->validated.params);
  job.webhook_url = s->webhook_url;
  job.webhook_secret = s->webhook_secret;
  job.idempotency_key = idempotency_key;
  if (!idempotency_key.empty()) job.request_hash = request_digest(job.task, s->body);

  boost::json::object inputs;
  for (const auto& field : s->validated.file_fields) {
    const http::FormPart* part = s->body.file(field);
    if (!part) continue;
    std::string key = "inputs/" + job.id + "/" + field + file_extension(*part);
    if (auto put = services.jobs.blobs().put(key, part->data); !put) return reply(http::response_for(put.error()));
    inputs[field] = key;
  }
  job.inputs_json = boost::json::serialize(inputs);

  auto outcome = services.jobs.submit(std::move(job));
  if (!outcome) {
    for (const auto& [field, key] : inputs) services.jobs.blobs().remove(std::string(key.as_string()));
    return reply(http::response_for(outcome.error()));
  }
  if (!outcome->created) {  // idempotent replay: the earlier job's inputs are the ones kept
    for (const auto& [field, key] : inputs) services.jobs.blobs().remove(std::string(key.as_string()));
  }
  reply(http::json_response(200, boost::json::object{{"data", boost::json::object{{"request_id", outcome->job.id}}}}));
}

}  // namespace genq::api
