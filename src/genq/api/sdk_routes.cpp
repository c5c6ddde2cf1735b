#include "genq/api/sdk_routes.hpp"

#include <boost/json.hpp>

#include "genq/api/body_limits.hpp"
#include "genq/api/guards.hpp"
#include "genq/api/submission.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kPromptKinds[] = {"image", "video", "speech", "image2image"};
constexpr std::string_view kSamplesTask = "prompt-samples";
constexpr std::string_view kReplaceTask = "vid-replace";

// prompt/{kind} -> "prompt-{kind}"; empty for an unknown kind.
std::string prompt_task(const http::Request& request) {
  const std::string& kind = request.param("kind");
  for (std::string_view k : kPromptKinds) {
    if (k == kind) return "prompt-" + kind;
  }
  return {};
}

SubmitTarget prompt_target(Services& services, std::string task) {
  const catalog::ModelSpec* model = services.catalog.default_model(task);
  return {std::move(task), model != nullptr ? model->name : ""};
}

// GET prompts/samples?type=&topic=&lang_code= carries its fields in the query; read
// like form fields (text, parsed by type).
SubmitBody query_body(const http::Request& request) {
  SubmitBody body;
  body.from_form = true;
  for (const char* name : {"type", "topic", "lang_code", "model"}) {
    if (auto value = request.query_param(name)) body.fields[name] = *value;
  }
  return body;
}

std::optional<std::string> string_param(const Job& job, std::string_view name) {
  boost::system::error_code ec;
  json::value params = json::parse(job.params_json, ec);
  if (ec || !params.is_object()) return std::nullopt;
  const json::value* v = params.get_object().if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

// The answer deAPI's SDK reads: EnhancePromptResult {prompt, negative_prompt},
// EnhanceSpeechPromptResult {prompt} or SamplePromptResult {type, prompt}. A text
// model may answer a JSON object {"prompt","negative_prompt"}; plain text is the
// prompt, and the negative prompt the one that was sent.
http::Response prompt_answer(const Job& job) {
  std::string text = job.result_text.value_or("");
  json::value negative = nullptr;
  if (auto sent = string_param(job, "negative_prompt")) negative = json::string(*sent);
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (!ec && parsed.is_object() && parsed.get_object().contains("prompt") &&
      parsed.get_object().at("prompt").is_string()) {
    const json::object& o = parsed.get_object();
    text = std::string(o.at("prompt").get_string());
    if (const json::value* n = o.if_contains("negative_prompt"); n != nullptr && (n->is_string() || n->is_null())) {
      negative = *n;
    }
  }
  json::object data{{"prompt", text}};
  if (job.task == kSamplesTask) {
    data["type"] = string_param(job, "type").value_or("");
  } else if (job.task != "prompt-speech") {
    data["negative_prompt"] = negative;
  }
  return http::json_response(200, json::object{{"data", std::move(data)}});
}

void wait_for_prompt(Services& services, const std::string& id, const http::Reply& reply);

// Stores the prompt job and answers once it ends; the request waits in
// services.waiters, not on a thread.
void submit_and_answer(Services& services, const Client& client, const SubmitTarget& target, Result<SubmitBody> body,
                       http::Request& request, http::Reply reply) {
  if (target.default_model.empty()) {
    return reply(http::error_response(404, "No model serves " + target.task + " on this server."));
  }
  if (auto refused = services.rate_limiter.acquire(client.id, target.task, services.jobs.clock().now())) {
    return reply(http::too_many_requests(refused->retry_after, refused->window));
  }
  submit_job(services, client, target, std::move(body), request, reply, [&services, reply](Job job) {
    wait_for_prompt(services, job.id, reply);
  });
}

// Answers the prompt request once its job ends (or its wait runs out).
void wait_for_prompt(Services& services, const std::string& id, const http::Reply& reply) {
  const auto wait = services.options.prompt_wait;
  services.waiters.wait(
      id, services.jobs.clock().now() + wait,
      [reply, id, wait](std::optional<Job> final) {
        if (!final) {
          return reply(http::error_response(
              504, "The prompt was not ready within " + std::to_string(wait.count() / 1000) + " s; request " + id +
                       " goes on (see request-status)."));
        }
        if (final->status != JobStatus::Done) {
          return reply(http::error_response(502, "The prompt could not be generated: " + final->error));
        }
        reply(prompt_answer(*final));
      });
}

// POST /api/v1/client/prompt/{image|video|speech|image2image}: JSON or multipart
// (image). 200 {"data":{"prompt","negative_prompt"}} ({"prompt"} for speech) once the
// job is done; 404 unknown kind or no model; 400/422 as a submit; 429; 502 job
// failed; 504 not done within --prompt-wait-s.
void handle_prompt(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  std::string task = prompt_task(request);
  if (task.empty()) return reply(http::error_response(404, "Unknown prompt type '" + request.param("kind") + "'."));
  submit_and_answer(services, client, prompt_target(services, std::move(task)), parse_submit_body(request), request,
                    std::move(reply));
}

// POST /api/v1/client/prompt/{kind}/price-calculation: 200 {"data":{"price","currency"}};
// 404 unknown kind; 400/422 as a price twin.
void handle_prompt_price(Services& services, http::Request& request, http::Reply reply, const Client&) {
  std::string task = prompt_task(request);
  if (task.empty()) return reply(http::error_response(404, "Unknown prompt type '" + request.param("kind") + "'."));
  answer_price(services, prompt_target(services, std::move(task)), parse_submit_body(request), std::move(reply));
}

// GET /api/v1/client/prompts/samples?type=image|speech&topic=&lang_code=
// 200 {"data":{"type","prompt"}}; otherwise as handle_prompt.
void handle_samples(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  submit_and_answer(services, client, prompt_target(services, std::string(kSamplesTask)), query_body(request), request,
                    std::move(reply));
}

// GET /api/v1/client/prompts/samples/price-calculation?type=…: the price.
void handle_samples_price(Services& services, http::Request& request, http::Reply reply, const Client&) {
  answer_price(services, prompt_target(services, std::string(kSamplesTask)), query_body(request), std::move(reply));
}

// POST /api/v1/client/videos/replace (multipart: video, ref_image): 200
// {"data":{"request_id"}}; the statuses of any submit.
void handle_replace(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  const std::string task(kReplaceTask);
  if (auto refused = services.rate_limiter.acquire(client.id, task, services.jobs.clock().now())) {
    return reply(http::too_many_requests(refused->retry_after, refused->window));
  }
  submit_job(services, client, {task, ""}, parse_submit_body(request), request, reply, [reply](Job job) {
    reply(http::json_response(200, json::object{{"data", json::object{{"request_id", job.id}}}}));
  });
}

// POST /api/v1/client/videos/replace/price (and /price-calculation): the price.
void handle_replace_price(Services& services, http::Request& request, http::Reply reply, const Client&) {
  answer_price(services, {std::string(kReplaceTask), ""}, parse_submit_body(request), std::move(reply));
}

}  // namespace

void add_sdk_routes(http::Router& router, Services& services) {
  using http::Exec;
  using http::Verb;
  auto prompt_limit = [&services](const http::Request& r) {
    return submit_body_limit(services, "prompt-" + r.param("kind"));  // image2image and video take an image
  };
  auto replace_limit = [&services](const http::Request&) {
    return submit_body_limit(services, kReplaceTask);
  };
  // Pool: each creates a job (a durable write), and URL inputs may be downloaded.
  router.add(for_clients(services, taking_files({Verb::post, "/api/v1/client/prompt/{kind}",
                                                 client_route(services, handle_prompt), Exec::Pool, 0, false, "prompt"},
                                                prompt_limit)));
  router.add(for_clients(services, taking_files({Verb::post, "/api/v1/client/prompt/{kind}/price-calculation",
                                                 client_route(services, handle_prompt_price), Exec::Pool, 0, false,
                                                 "prompt-price"},
                                                prompt_limit)));
  router.add(for_clients(services, {Verb::get, "/api/v1/client/prompts/samples", client_route(services, handle_samples),
                                    Exec::Pool, 0, false, "prompt-samples"}));
  router.add(for_clients(services,
                         {Verb::get, "/api/v1/client/prompts/samples/price-calculation",
                          client_route(services, handle_samples_price), Exec::Pool, 0, false, "prompt-samples-price"}));
  router.add(for_clients(services, taking_files({Verb::post, "/api/v1/client/videos/replace",
                                                 client_route(services, handle_replace), Exec::Pool, 0, false,
                                                 "videos-replace"},
                                                replace_limit)));
  // The SDK prices it at videos/replace/price; /price-calculation as every other twin.
  router.add(for_clients(services, taking_files({Verb::post, "/api/v1/client/videos/replace/price",
                                                 client_route(services, handle_replace_price), Exec::Pool, 0, false,
                                                 "videos-replace-price"},
                                                replace_limit)));
  router.add(for_clients(services, taking_files({Verb::post, "/api/v1/client/videos/replace/price-calculation",
                                                 client_route(services, handle_replace_price), Exec::Pool, 0, false,
                                                 "videos-replace-price"},
                                                replace_limit)));
}

}  // namespace genq::api
