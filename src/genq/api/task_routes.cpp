// POST /api/v1/generateTask/{model}
//   {"request_type":"async"|"callback","callback_url":"https://...",
//    "input":{"mode":"text-to-image","prompt":"...", ...}}
//   -> {"code":200,"message":"success","data":{"taskId":"task_<request_id>"}}
// GET /api/v1/statusTask/{model}?taskId=task_...
//   -> {"code":200,"message":"success","data":{"taskId","state",...}} (task_view.hpp)
//
// input.mode picks the task (the catalog's task "mode"); the other input fields are
// the task's parameters under their catalog names, or under a catalog
// "dialect_fields" alias (num_inference_steps -> steps). File parameters (image,
// audio, video) come as data: URLs or plain base64: genq never fetches remote URLs
// on a client's behalf.
#include "genq/api/task_routes.hpp"

#include <boost/json.hpp>

#include "genq/api/body_limits.hpp"
#include "genq/api/guards.hpp"
#include "genq/api/job_creation.hpp"
#include "genq/api/prefer_wait.hpp"
#include "genq/api/job_deadlines.hpp"
#include "genq/api/priority_grant.hpp"
#include "genq/api/request_body.hpp"
#include "genq/api/task_view.hpp"
#include "genq/api/upload_check.hpp"
#include "genq/api/webhook_target.hpp"
#include "genq/crypto/crypto.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

const std::vector<std::string> kTopLevelFields = {"request_type", "callback_url",
                                                  "input",        "priority",
                                                  std::string(kCancelAfterField), std::string(kExecutionTimeoutField)};

// The modes `model` serves, for messages: "text-to-image, image-to-image".
std::string modes_of(const catalog::ModelSpec& model, const catalog::Catalog& catalog) {
  std::string out;
  for (const auto& task_name : model.tasks) {
    const auto* task = catalog.find_task(task_name);
    if (!task || task->dialect_mode.empty()) continue;
    out += (out.empty() ? "" : ", ") + task->dialect_mode;
  }
  return out.empty() ? "none" : out;
}

// "png" from "image/png", for the stored input's name; empty when unusable.
std::string subtype_extension(std::string_view media_type) {
  auto slash = media_type.find('/');
  if (slash == std::string_view::npos) return "";
  std::string ext;
  for (char c : media_type.substr(slash + 1)) {
    if (!std::isalnum(static_cast<unsigned char>(c))) break;
    ext.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return ext == "jpeg" ? "jpg" : ext;
}

// A file parameter given as "data:<type>;base64,<data>" or plain base64.
std::optional<http::FormPart> decode_file(const std::string& field, std::string_view text) {
  http::FormPart part;
  part.name = field;
  part.filename = field;
  if (text.starts_with("data:")) {
    auto comma = text.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    std::string_view header = text.substr(5, comma - 5);
    if (!header.ends_with(";base64")) return std::nullopt;
    part.content_type = std::string(header.substr(0, header.size() - 7));
    if (auto ext = subtype_extension(part.content_type); !ext.empty()) part.filename += "." + ext;
    text.remove_prefix(comma + 1);
  }
  std::string bytes;
  if (!crypto::base64_decode(text, bytes) || bytes.empty()) return std::nullopt;
  part.own(std::move(bytes));
  return part;
}

struct TaskRequest {
  const catalog::ModelSpec* model = nullptr;
  const catalog::TaskSpec* task = nullptr;
  SubmitBody body;  // input mapped onto the task's parameters, plus "model"
  std::string callback_url;
  Priority priority = Priority::Normal;
  JobDeadlines deadlines;
};

// Reads and checks everything but the parameters' values (the catalog checks
// those); on failure answers and returns nullopt.
std::optional<TaskRequest> read_task_request(Services& services, const Client& client, http::Request& request,
                                             http::Reply& reply) {
  TaskRequest out;
  out.model = services.catalog.find_model(request.param("model"));
  if (!out.model) {
    reply(task_error(404, "Model '" + request.param("model") + "' not found."));
    return std::nullopt;
  }
  auto body = parse_json_object(request.body);
  if (!body) {
    reply(task_error(400, body.error().message));
    return std::nullopt;
  }
  for (const auto& [key, value] : *body) {
    if (std::find(kTopLevelFields.begin(), kTopLevelFields.end(), key) == kTopLevelFields.end()) {
      reply(task_error(422, "The " + std::string(key) + " field is not supported."));
      return std::nullopt;
    }
  }

  std::string request_type = "async";
  if (const auto* v = body->if_contains("request_type"); v && !v->is_null()) {
    if (!v->is_string() || (v->get_string() != "async" && v->get_string() != "callback")) {
      reply(task_error(422, "The request_type field must be async or callback."));
      return std::nullopt;
    }
    request_type = v->get_string();
  }
  if (const auto* v = body->if_contains("callback_url"); v && !v->is_null()) {
    if (!v->is_string()) {
      reply(task_error(422, "The callback_url field must be a string."));
      return std::nullopt;
    }
    out.callback_url = v->get_string();
  }
  if (request_type == "callback") {
    if (out.callback_url.empty()) {
      reply(task_error(422, "The callback_url field is required when request_type is callback."));
      return std::nullopt;
    }
    if (auto problem = webhook_url_problem(out.callback_url, "callback_url", services.options)) {
      reply(task_error(422, *problem));
      return std::nullopt;
    }
  } else if (!out.callback_url.empty()) {
    reply(task_error(422, "The callback_url field is only used when request_type is callback."));
    return std::nullopt;
  }

  auto priority = read_priority(body->if_contains("priority"), client);
  if (!priority) {
    reply(task_error(priority.error().status, priority.error().message));
    return std::nullopt;
  }
  out.priority = *priority;
  catalog::FieldErrors deadline_errors;
  out.deadlines = read_deadlines(*body, false, out.model, deadline_errors);
  if (!deadline_errors.empty()) {
    reply(task_error(422, deadline_errors.first()));
    return std::nullopt;
  }

  const auto* input = body->if_contains("input");
  if (!input || input->is_null()) {
    reply(task_error(422, "The input field is required."));
    return std::nullopt;
  }
  if (!input->is_object()) {
    reply(task_error(422, "The input field must be an object."));
    return std::nullopt;
  }
  const auto* mode = input->get_object().if_contains("mode");
  if (!mode || !mode->is_string() || mode->get_string().empty()) {
    reply(task_error(422, "The input.mode field is required; " + out.model->name + " supports: " +
                              modes_of(*out.model, services.catalog) + "."));
    return std::nullopt;
  }
  out.task = services.catalog.find_task_by_mode(mode->get_string());
  if (!out.task || !out.model->serves(out.task->name)) {
    reply(task_error(422, "The mode '" + std::string(mode->get_string()) + "' is not supported by " +
                              out.model->name + "; it supports: " + modes_of(*out.model, services.catalog) + "."));
    return std::nullopt;
  }

  for (const auto& [key, value] : input->get_object()) {
    if (key == "mode") continue;
    if (key == "model") {
      reply(task_error(422, "The input.model field is not supported: the model is the one in the URL."));
      return std::nullopt;
    }
    // The model's own parameter names win over the catalog's dialect aliases.
    const std::string name(out.model->find_param(key) ? std::string_view(key) : services.catalog.dialect_field(key));
    if (out.body.fields.contains(name) || out.body.file(name)) {
      reply(task_error(422, "The input." + std::string(key) + " field gives " + name + " a second time."));
      return std::nullopt;
    }
    const auto* param = out.model->find_param(name);
    if (param && param->type == catalog::ParamType::File && !value.is_null()) {
      auto part = value.is_string() ? decode_file(name, value.get_string()) : std::nullopt;
      if (!part) {
        reply(task_error(422, "The input." + std::string(key) +
                                  " field must be a data: URL or base64 of the file; remote URLs are not fetched."));
        return std::nullopt;
      }
      out.body.files.push_back(std::move(*part));
      continue;
    }
    out.body.fields[name] = value;
  }
  out.body.fields["model"] = out.model->name;
  return out;
}

void handle_generate(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  auto wait = read_prefer_wait(request);
  if (!wait) return reply(task_error(422, wait.error().message));
  auto task_request = read_task_request(services, client, request, reply);
  if (!task_request) return;
  const std::string& task = task_request->task->name;
  if (auto refused = services.rate_limiter.acquire(client.id, task, services.jobs.clock().now())) {
    return reply(to_task_envelope(http::too_many_requests(refused->retry_after, refused->window)));
  }
  auto validated = services.catalog.validate(task, task_request->body.fields, {}, task_request->body.file_names());
  if (!validated) return reply(task_error(422, validated.error().first()));
  catalog::FieldErrors upload_errors;
  check_uploads(services.catalog, task_request->body.files, upload_errors);
  if (!upload_errors.empty()) return reply(task_error(422, upload_errors.first()));
  auto idempotency_key = read_idempotency_key(request);
  if (!idempotency_key) return reply(to_task_envelope(std::move(idempotency_key.error())));
  auto price = billed_price(services, client, *validated);
  if (!price) return reply(to_task_envelope(std::move(price.error())));

  JobDraft draft;
  draft.price_nanos = *price;
  draft.task = task;
  draft.validated = std::move(*validated);
  draft.body = std::move(task_request->body);
  draft.webhook_url = std::move(task_request->callback_url);
  draft.idempotency_key = std::move(*idempotency_key);
  draft.submit_request_id = request.id;
  draft.dialect = Dialect::Task;
  draft.priority = task_request->priority;
  draft.deadlines = task_request->deadlines;
  // Answered from the commit: the pool thread is free again as soon as the job is queued.
  create_job(services, client, std::move(draft), [&services, reply, wait = *wait](Result<SubmitOutcome> outcome) {
    if (!outcome) return reply(to_task_envelope(http::response_for(outcome.error())));
    if (!wait) {
      return reply(http::json_response(
          200, boost::json::object{{"code", 200},
                                   {"message", "success"},
                                   {"data", boost::json::object{{"taskId", task_id_for(outcome->job.id)}}}}));
    }
    // Sync mode: the statusTask body once final, or as it stands after the wait.
    hold_until_final(services, outcome->job.id, *wait, [&services, reply, wait](Result<Job> held, bool final) {
      if (!held) return reply(to_task_envelope(http::response_for(held.error())));
      http::Response response = http::json_response(200, render_task_status(*held, services));
      add_prefer_wait_headers(response, *wait, final,
                              "/api/v1/statusTask/" + held->model + "?taskId=" + task_id_for(held->id));
      reply(std::move(response));
    });
  });
}

void handle_status_task(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  const auto* model = services.catalog.find_model(request.param("model"));
  if (!model) return reply(task_error(404, "Model '" + request.param("model") + "' not found."));
  auto task_id = request.query_param("taskId");
  if (!task_id || task_id->empty()) return reply(task_error(422, "The taskId field is required."));
  services.jobs.get_for_client(
      job_id_from_task_id(*task_id), client.id,
      [&services, reply, task_id = *task_id, model_name = model->name](Result<Job> job) {
        if (!job) {
          if (job.error().kind == ErrorKind::NotFound) return reply(task_error(404, "Task '" + task_id + "' not found."));
          return reply(to_task_envelope(http::response_for(job.error())));
        }
        if (job->model != model_name) {
          return reply(task_error(422, "Task '" + task_id + "' was created with model " + job->model + ", not " +
                                           model_name + "."));
        }
        reply(http::json_response(200, render_task_status(*job, services)));
      });
}

using TaskRoute = void (*)(Services&, http::Request&, http::Reply, const Client&);

// Authenticated like the client API; every error, the 401 included, in the envelope.
http::Handler bind(Services& services, TaskRoute route) {
  http::Handler authenticated =
      client_only(services, [&services, route](http::Request& r, http::Reply reply, const Client& c) {
        route(services, r, std::move(reply), c);
      });
  return [authenticated = std::move(authenticated)](http::Request& request, http::Reply reply) {
    authenticated(request, [reply = std::move(reply)](http::Response response) {
      reply(to_task_envelope(std::move(response)));
    });
  };
}

// The credential checked from the headers (Route::admit), its refusal in the envelope too.
http::Route for_task_clients(Services& services, http::Route route) {
  route.admit = [admit = client_admission(services)](http::Request& request) -> std::optional<http::Response> {
    std::optional<http::Response> refused = admit(request);
    if (refused) return to_task_envelope(std::move(*refused));
    return refused;
  };
  return route;
}

}  // namespace

void add_task_routes(http::Router& router, Services& services) {
  using http::Exec;
  using http::Verb;
  // Pool: a callback_url's SSRF check may resolve its host; submits wait on the store.
  router.add(for_task_clients(services, {Verb::post, "/api/v1/generateTask/{model}", bind(services, handle_generate),
                                         Exec::Pool, 0, false, "generate-task", [&services](const http::Request& r) {
                                           return generate_task_body_limit(services, r.param("model"));
                                         }}));
  router.add(for_task_clients(services, {Verb::get, "/api/v1/statusTask/{model}", bind(services, handle_status_task),
                                         Exec::Inline, 0, false, "status-task"}));
}

}  // namespace genq::api
