// POST /api/v1/client/{task} and POST /api/v1/client/{task}/price-calculation, and
// the validation, pricing and job creation every client-API submit shares
// (submission.hpp).
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "genq/api/client_routes.hpp"
#include "genq/api/job_creation.hpp"
#include "genq/api/job_deadlines.hpp"
#include "genq/api/prefer_wait.hpp"
#include "genq/api/priority_grant.hpp"
#include "genq/api/request_body.hpp"
#include "genq/api/sdk_fields.hpp"
#include "genq/api/status_view.hpp"
#include "genq/api/submission.hpp"
#include "genq/api/upload_check.hpp"
#include "genq/api/webhook_events.hpp"
#include "genq/api/webhook_target.hpp"
#include "genq/catalog/param_check.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

// Body fields genq handles itself; everything else must be a model parameter.
const std::vector<std::string> kReservedFields = {"webhook_url",  "webhook_secret",
                                                  "webhook_events",
                                                  "return_result_in_response",
                                                  "priority",     std::string(kCancelAfterField),
                                                  std::string(kExecutionTimeoutField)};

struct Submission {
  catalog::ValidatedRequest validated;
  SubmitBody body;
  std::vector<UrlInput> urls;  // inputs still to download (submits only)
  std::string webhook_url;
  std::string webhook_secret;
  std::string webhook_events;  // a JSON array, or empty for the default
  Priority priority = Priority::Normal;
  JobDeadlines deadlines;
};

bool is_multipart(const http::Request& request) {
  return !http::multipart_boundary(request.header("Content-Type")).empty();
}

bool is_absent(const boost::json::value* v) {
  return v == nullptr || v->is_null() || (v->is_string() && v->as_string().empty());
}

// Validates everything a submit (or, in price mode, its price twin) needs; on
// failure answers and returns nullopt.
// `client` is null in price mode: a price does not depend on the priority.
std::optional<Submission> prepare(Services& services, const Client* client, const SubmitTarget& target,
                                  Result<SubmitBody> body, http::Reply& reply, catalog::ValidationMode mode) {
  const std::string& task = target.task;
  if (!services.catalog.find_task(task)) {
    reply(http::error_response(404, "Unknown task '" + task + "'."));
    return std::nullopt;
  }
  if (!body) {
    reply(http::error_response(body.error().kind == ErrorKind::Internal ? 500 : 400, body.error().message));
    return std::nullopt;
  }
  if (!target.default_model.empty() && is_absent(body->fields.if_contains("model"))) {
    body->fields["model"] = target.default_model;
  }
  SdkFields sdk = adopt_sdk_fields(task, *body);
  std::vector<std::string> present = body->file_names();
  for (const UrlInput& u : sdk.urls) present.push_back(u.target);
  auto validated = services.catalog.validate(task, body->fields, kReservedFields, present, body->from_form, mode);
  catalog::FieldErrors errors = std::move(sdk.errors);
  if (!validated) {
    for (auto& [field, problems] : validated.error().fields) {
      for (auto& problem : problems) errors.add(field, std::move(problem));
    }
  }

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
  if (auto it = body->fields.find("webhook_events"); it != body->fields.end() && !it->value().is_null()) {
    auto events = read_webhook_events(it->value(), "webhook_events", body->from_form);
    if (!events) {
      errors.add("webhook_events", events.error());
    } else if (events->empty()) {
      errors.add("webhook_events", "The webhook_events field must name at least one event; leave it out for all.");
    } else {
      boost::json::array list;
      for (const std::string& e : *events) list.emplace_back(e);
      s.webhook_events = boost::json::serialize(list);
    }
  }
  if (auto it = body->fields.find("return_result_in_response"); it != body->fields.end()) {
    const auto& v = it->value();
    bool ok = v.is_bool() || v.is_null() ||
              (body->from_form && v.is_string() &&
               (v.as_string() == "true" || v.as_string() == "false" || v.as_string() == "1" || v.as_string() == "0"));
    if (!ok) errors.add("return_result_in_response", "The return result in response field must be true or false.");
  }
  std::expected<Priority, PriorityRefusal> priority = Priority::Normal;
  if (client) priority = read_priority(body->fields.if_contains("priority"), *client);
  if (!priority && priority.error().status == 422) errors.add("priority", priority.error().message);
  s.deadlines = read_deadlines(body->fields, body->from_form, validated ? validated->model : nullptr, errors);
  check_uploads(services.catalog, body->files, errors);
  if (!errors.empty()) {
    reply(http::validation_error(errors.fields));
    return std::nullopt;
  }
  if (!priority) {
    reply(http::error_response(priority.error().status, priority.error().message));
    return std::nullopt;
  }
  s.priority = *priority;
  s.validated = std::move(*validated);
  s.body = std::move(*body);
  s.urls = std::move(sdk.urls);
  return s;
}

// Downloads every URL input into the body as if it had been uploaded; a URL that
// cannot be fetched is a 422 on its field. Before the job exists, so a job is never
// acknowledged and then lost to a failed download.
bool fetch_url_inputs(Services& services, Submission& s, const http::Reply& reply) {
  catalog::FieldErrors errors;
  for (const UrlInput& u : s.urls) {
    if (!services.options.fetch_input) {
      errors.add(u.field, "Inputs by URL are not enabled on this server.");
      continue;
    }
    auto fetched = services.options.fetch_input(u.url);
    if (!fetched && fetched.error().kind == ErrorKind::Unavailable) {  // busy: the URL itself may be fine
      reply(http::error_response(503, fetched.error().message));
      return false;
    }
    if (!fetched) {
      errors.add(u.field, "The " + catalog::detail::attribute(u.field) + " " + fetched.error().message + ".");
      continue;
    }
    http::FormPart part;
    part.name = u.target;
    part.filename = fetched->filename.empty() ? u.target : fetched->filename;
    part.content_type = fetched->content_type;
    part.own(std::move(fetched->data));
    // A fetched file meets the rules of an uploaded one. A URL's target field is a
    // guess (deAPI's: a non-Spaces link is "video"), so audio and video both pass.
    auto kind = catalog::file_kind_of(u.target);
    if (kind == catalog::FileKind::Audio || kind == catalog::FileKind::Video) kind = catalog::FileKind::Media;
    if (auto problem = upload_problem(services.catalog, u.field, part.data, kind)) {
      errors.add(u.field, std::move(*problem));
      continue;
    }
    s.body.files.push_back(std::move(part));
    if (std::find(s.validated.file_fields.begin(), s.validated.file_fields.end(), u.target) ==
        s.validated.file_fields.end()) {
      s.validated.file_fields.push_back(u.target);
    }
  }
  if (!errors.empty()) {
    reply(http::validation_error(errors.fields));
    return false;
  }
  return true;
}

}  // namespace

void answer_price(Services& services, const SubmitTarget& target, Result<SubmitBody> body, http::Reply reply) {
  auto s = prepare(services, nullptr, target, std::move(body), reply, catalog::ValidationMode::Price);
  if (!s) return;
  double price = services.catalog.price(s->validated);
  reply(http::json_response(200, boost::json::object{
      {"data", boost::json::object{{"price", price}, {"currency", s->validated.model->pricing.currency}}}}));
}

void submit_job(Services& services, const Client& client, const SubmitTarget& target, Result<SubmitBody> body,
                http::Request& request, http::Reply reply, std::function<void(Job)> stored) {
  auto prepared = prepare(services, &client, target, std::move(body), reply, catalog::ValidationMode::Submit);
  if (!prepared) return;
  auto idempotency_key = read_idempotency_key(request);
  if (!idempotency_key) return reply(std::move(idempotency_key.error()));

  auto s = std::make_shared<Submission>(std::move(*prepared));
  const bool blocks = !s->urls.empty() || !s->body.files.empty();
  auto store = [&services, client, task = target.task, s, key = std::move(*idempotency_key),
                request_id = request.id, reply, stored = std::move(stored)] {
    if (!fetch_url_inputs(services, *s, reply)) return;
    auto price = billed_price(services, client, s->validated);
    if (!price) return reply(std::move(price.error()));
    JobDraft draft;
    draft.price_nanos = *price;
    draft.validated = std::move(s->validated);
    draft.body = std::move(s->body);
    draft.webhook_url = std::move(s->webhook_url);
    draft.webhook_secret = std::move(s->webhook_secret);
    draft.webhook_events = std::move(s->webhook_events);
    draft.priority = s->priority;
    draft.deadlines = s->deadlines;
    draft.idempotency_key = key;
    draft.submit_request_id = request_id;
    draft.task = task;
    create_job(services, client, std::move(draft), [reply, stored](Result<SubmitOutcome> outcome) {
      if (!outcome) return reply(http::response_for(outcome.error()));
      stored(std::move(outcome->job));
    });
  };
  if (blocks && request.run_blocking) {
    request.run_blocking(std::move(store));
  } else {
    store();
  }
}

bool submit_may_block(const http::Request& request) {
  // A webhook_url's SSRF check resolves its host (webhook_target.hpp), and a resolver
  // may take seconds: never on an I/O thread, where every other connection would wait.
  // The body's bytes suffice: a false alarm only costs a hop to the pool.
  return is_multipart(request) || request.body.find("webhook_url") != std::string::npos;
}

void run_submit(http::Request& request, std::function<void()> handler) {
  if (!request.run_blocking || !submit_may_block(request)) return handler();
  auto run_blocking = std::move(request.run_blocking);
  // On the pool from here: what the handler would hand on may run where it is.
  request.run_blocking = [](std::function<void()> work) { work(); };
  run_blocking(std::move(handler));
}

void handle_price(Services& services, http::Request& request, http::Reply reply, const Client&) {
  answer_price(services, {request.param("task"), ""}, parse_submit_body(request), std::move(reply));
}

void handle_submit(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  auto wait = read_prefer_wait(request);
  if (!wait) return reply(http::validation_error({{"Prefer", {wait.error().message}}}));
  if (auto refused = services.rate_limiter.acquire(client.id, request.param("task"), services.jobs.clock().now())) {
    return reply(http::too_many_requests(refused->retry_after, refused->window));
  }
  run_submit(request, [&services, &request, reply, client, wait = *wait] {
    submit_job(services, client, {request.param("task"), ""}, parse_submit_body(request), request, reply,
               [&services, reply, wait](Job job) {
                 if (!wait) {
                   return reply(
                       http::json_response(200, boost::json::object{{"data", boost::json::object{{"request_id", job.id}}}}));
                 }
                 // Sync mode: the status document once final, or as it stands after the wait;
                 // data.request_id is where the plain answer has it.
                 hold_until_final(services, job.id, *wait, [&services, reply, wait](Result<Job> held, bool final) {
                   if (!held) return reply(http::response_for(held.error()));
                   http::Response response = status_answer(*held, services);
                   add_prefer_wait_headers(response, *wait, final, "/api/v1/client/request-status/" + held->id);
                   reply(std::move(response));
                 });
               });
  });
}

}  // namespace genq::api
