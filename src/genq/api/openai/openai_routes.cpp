#include "genq/api/openai/openai_routes.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>

#include "genq/api/body_limits.hpp"
#include "genq/api/guards.hpp"
#include "genq/api/openai/openai_errors.hpp"
#include "genq/api/submission.hpp"
#include "genq/crypto/crypto.hpp"
#include "genq/http/responses.hpp"
#include "genq/service/download_url.hpp"

namespace genq::api::openai {
namespace {

namespace json = boost::json;
using http::Verb;

using Finished = std::function<void(std::optional<Job>)>;

std::int64_t unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Answers `reply` exactly once, however many jobs of one call try to.
struct ReplyOnce {
  explicit ReplyOnce(http::Reply r) : reply(std::move(r)) {}
  void operator()(http::Response response) {
    if (!answered.exchange(true)) reply(std::move(response));
  }
  http::Reply reply;
  std::atomic<bool> answered{false};
};

// Stores a job for `task` from `fields` (and `files`), as a client-API submit would,
// then calls `finished` once it ends or the wait runs out. Refusals go to `reply`.
void submit_and_wait(Services& services, const Client& client, const std::string& task, SubmitBody body,
                     http::Request& request, const http::Reply& reply, Finished finished) {
  if (auto refused = services.rate_limiter.acquire(client.id, task, services.jobs.clock().now())) {
    return reply(http::too_many_requests(refused->retry_after, refused->window));
  }
  submit_job(services, client, SubmitTarget{task, ""}, Result<SubmitBody>(std::move(body)), request, reply,
             [&services, finished = std::move(finished)](Job job) {
               const std::string id = job.id;
               services.waiters.wait(id, services.jobs.clock().now() + services.options.prompt_wait, finished);
             });
}

// The answer for a job that did not end well; nullopt when it is done.
std::optional<http::Response> unfinished(const std::optional<Job>& job, const Services& services,
                                         const std::string& what) {
  if (!job) {
    return openai_error(504, what + " did not finish within " +
                                 std::to_string(services.options.prompt_wait.count() / 1000) +
                                 " s; the job goes on (GET /api/v1/client/request-status/ID).",
                        "timeout");
  }
  if (job->status != JobStatus::Done) {
    return openai_error(500, what + " failed: " + (job->error.empty() ? "the job ended in error" : job->error),
                        "server_error", std::nullopt, "job_failed");
  }
  return std::nullopt;
}

const json::value* field(const json::object& body, std::string_view name) { return body.if_contains(name); }

std::optional<std::string> string_field(const json::object& body, std::string_view name) {
  const json::value* v = field(body, name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

// Floats as OpenAI's encoding_format=base64 sends them: little-endian float32, base64.
std::string base64_floats(const json::array& values) {
  std::string bytes;
  bytes.reserve(values.size() * 4);
  for (const json::value& v : values) {
    const float f = v.is_number() ? static_cast<float>(v.to_number<double>()) : 0.0f;
    char raw[4];
    std::memcpy(raw, &f, 4);
    bytes.append(raw, 4);
  }
  return crypto::base64_encode(bytes);
}

// One embedding vector per input, from the job's JSON result: {"embedding":[…]} for a
// text, {"embeddings":[{"embedding":[…]}|[…], …]} for a list.
std::vector<json::array> embedding_vectors(const Job& job) {
  std::vector<json::array> out;
  boost::system::error_code ec;
  json::value result = json::parse(job.result_text.value_or(""), ec);
  if (ec || !result.is_object()) return out;
  const auto vector_of = [](const json::value& v) -> std::optional<json::array> {
    if (v.is_array()) return v.as_array();
    if (v.is_object() && v.as_object().contains("embedding") && v.as_object().at("embedding").is_array()) {
      return v.as_object().at("embedding").as_array();
    }
    return std::nullopt;
  };
  if (const auto* many = result.as_object().if_contains("embeddings"); many && many->is_array()) {
    for (const json::value& item : many->as_array()) {
      if (auto v = vector_of(item)) out.push_back(std::move(*v));
    }
  } else if (auto v = vector_of(result)) {
    out.push_back(std::move(*v));
  }
  return out;
}

std::int64_t approximate_tokens(const json::value& input) {
  std::size_t chars = 0;
  if (input.is_string()) chars = input.as_string().size();
  if (input.is_array()) {
    for (const auto& item : input.as_array()) chars += item.is_string() ? item.as_string().size() : 0;
  }
  return static_cast<std::int64_t>((chars + 3) / 4);
}

// GET /v1/models: {"object":"list","data":[{"id","object":"model","created","owned_by"}]}
void handle_models(Services& services, http::Request&, http::Reply reply, const Client&) {
  json::array data;
  for (const auto& model : services.catalog.models()) {
    data.push_back(json::object{{"id", model.name}, {"object", "model"}, {"created", 0}, {"owned_by", "genq"}});
  }
  reply(http::json_response(200, json::object{{"object", "list"}, {"data", std::move(data)}}));
}

// POST /v1/embeddings {"model","input": string | [string], "encoding_format": "float"|"base64"}
void handle_embeddings(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  auto body = parse_json_object(request.body);
  if (!body) return reply(openai_error(400, body.error().message, "invalid_request_error"));
  const std::string format = string_field(*body, "encoding_format").value_or("float");
  if (format != "float" && format != "base64") {
    return reply(openai_error(400, "encoding_format must be float or base64.", "invalid_request_error",
                              "encoding_format"));
  }
  const json::value* input = field(*body, "input");
  if (input == nullptr || !(input->is_string() || input->is_array())) {
    return reply(openai_error(400, "input must be a string or a list of strings.", "invalid_request_error", "input"));
  }
  SubmitBody submit;
  submit.fields["model"] = body->contains("model") ? body->at("model") : json::value(nullptr);
  submit.fields["input"] = *input;
  const std::string model = string_field(*body, "model").value_or("");
  const json::value sent = *input;
  submit_and_wait(services, client, "txt2embedding", std::move(submit), request, reply,
                  [&services, reply, format, model, sent](std::optional<Job> job) {
                    if (auto failed = unfinished(job, services, "The embedding")) return reply(std::move(*failed));
                    json::array data;
                    for (json::array& vector : embedding_vectors(*job)) {
                      json::value embedding = format == "base64" ? json::value(base64_floats(vector))
                                                                 : json::value(std::move(vector));
                      data.push_back(json::object{{"object", "embedding"},
                                                  {"index", static_cast<std::int64_t>(data.size())},
                                                  {"embedding", std::move(embedding)}});
                    }
                    const std::int64_t tokens = approximate_tokens(sent);
                    reply(http::json_response(
                        200, json::object{{"object", "list"},
                                          {"data", std::move(data)},
                                          {"model", model},
                                          {"usage", json::object{{"prompt_tokens", tokens}, {"total_tokens", tokens}}}}));
                  });
}

// What the answers of one images/generations call collect.
struct ImageBatch {
  std::mutex mutex;
  std::vector<std::optional<Job>> jobs;  // GUARDED_BY(mutex)
  std::size_t left = 0;                  // GUARDED_BY(mutex)
};

using RunBlocking = std::function<void(std::function<void()>)>;

// What images/generations and images/edits share: their options (n, size,
// response_format), read from JSON or form fields alike.
struct ImageOptions {
  std::int64_t n = 1;
  std::string format = "url";
};

// Reads n, size and response_format out of `fields` (size becomes width and height);
// nullopt after answering a refusal.
std::optional<ImageOptions> take_image_options(json::object& fields, const http::Reply& reply) {
  ImageOptions options;
  const auto text_of = [](const json::value& v) {
    return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
  };
  if (const json::value* format = fields.if_contains("response_format"); format && !format->is_null()) {
    options.format = text_of(*format);
  }
  if (options.format != "url" && options.format != "b64_json") {
    reply(openai_error(400, "response_format must be url or b64_json.", "invalid_request_error", "response_format"));
    return std::nullopt;
  }
  if (const json::value* count = fields.if_contains("n"); count != nullptr && !count->is_null()) {
    const std::string text = text_of(*count);
    char* end = nullptr;
    const long long n = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || n < 1 || n > 10) {
      reply(openai_error(400, "n must be an integer from 1 to 10.", "invalid_request_error", "n"));
      return std::nullopt;
    }
    options.n = n;
  }
  if (const json::value* size = fields.if_contains("size"); size != nullptr && !size->is_null()) {
    unsigned width = 0, height = 0;
    char tail = 0;
    if (std::sscanf(text_of(*size).c_str(), "%ux%u%c", &width, &height, &tail) != 2) {
      reply(openai_error(400, "size must look like 1024x1024.", "invalid_request_error", "size"));
      return std::nullopt;
    }
    fields["width"] = width;
    fields["height"] = height;
  }
  for (const char* name : {"n", "size", "response_format", "quality", "style", "user", "background", "output_format"}) {
    fields.erase(name);
  }
  return options;
}

// Submits options.n jobs of `task` from `body`, run in parallel, and answers
// {"created","data":[{"url"}|{"b64_json"}]} once all are done. Files are read on
// `run_blocking`, off the thread that publishes the jobs' ends.
void generate_images(Services& services, http::Request& request, const http::Reply& reply, const Client& client,
                     const std::string& task, const SubmitBody& body, const ImageOptions& options,
                     RunBlocking run_blocking) {
  auto batch = std::make_shared<ImageBatch>();
  batch->jobs.resize(static_cast<std::size_t>(options.n));
  batch->left = static_cast<std::size_t>(options.n);
  auto once = std::make_shared<ReplyOnce>(reply);
  const http::Reply answer = [once](http::Response r) { (*once)(std::move(r)); };
  const std::string format = options.format;
  for (std::int64_t i = 0; i < options.n; ++i) {
    submit_and_wait(
        services, client, task, body, request, answer,
        [&services, batch, answer, format, run_blocking, i](std::optional<Job> job) {
          if (auto failed = unfinished(job, services, "The image")) return answer(std::move(*failed));
          {
            std::lock_guard lock(batch->mutex);
            batch->jobs[static_cast<std::size_t>(i)] = std::move(job);
            if (--batch->left > 0) return;
          }
          run_blocking([&services, batch, answer, format] {
            json::array data;
            for (const auto& done : batch->jobs) {
              if (format == "url") {
                data.push_back(json::object{{"url", download_url(services.jobs.blobs(), services.signer, done->result_blob,
                                                                 services.jobs.clock().now(),
                                                                 services.jobs.options().url_ttl)}});
                continue;
              }
              auto bytes = services.jobs.blobs().read(done->result_blob);
              if (!bytes) {
                return answer(openai_error(500, "The image could not be read: " + bytes.error().message, "server_error"));
              }
              data.push_back(json::object{{"b64_json", crypto::base64_encode(*bytes)}});
            }
            answer(http::json_response(
                200, json::object{{"created", unix_seconds(services.jobs.clock().now())}, {"data", std::move(data)}}));
          });
        });
  }
}

// POST /v1/images/generations {"model","prompt","n":1-10,"size":"WxH","response_format":"url"|"b64_json"}
void handle_image_generations(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  auto body = parse_json_object(request.body);
  if (!body) return reply(openai_error(400, body.error().message, "invalid_request_error"));
  auto options = take_image_options(*body, reply);
  if (!options) return;
  SubmitBody submit;
  submit.fields = std::move(*body);
  generate_images(services, request, reply, client, "txt2img", submit, *options, request.run_blocking);
}

// POST /v1/images/edits (multipart: image or image[] files, prompt, model, n, size,
// response_format) -> n img2img jobs. A mask is refused: no shipped model inpaints.
void handle_image_edits(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  RunBlocking pool = request.run_blocking;  // run_submit makes the request's own run inline
  run_submit(request, [&services, &request, reply, client, pool] {
    auto body = parse_submit_body(request);
    if (!body) return reply(openai_error(400, body.error().message, "invalid_request_error"));
    if (body->file("mask") != nullptr) {
      return reply(openai_error(400, "mask is not supported: no model here inpaints; send the image and a prompt.",
                                "invalid_request_error", "mask"));
    }
    std::size_t images = 0;
    for (http::FormPart& part : body->files) {
      if (part.name == "image[]" || part.name == "image") part.name = images++ == 0 ? "image" : "images";
    }
    if (images == 0) {
      return reply(openai_error(400, "image is required: the picture to edit (multipart/form-data).",
                                "invalid_request_error", "image"));
    }
    auto options = take_image_options(body->fields, reply);
    if (!options) return;
    generate_images(services, request, reply, client, "img2img", *body, *options, pool);
  });
}

// POST /v1/audio/speech {"model","input","voice","response_format"}: the audio bytes.
void handle_speech(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  auto body = parse_json_object(request.body);
  if (!body) return reply(openai_error(400, body.error().message, "invalid_request_error"));
  if (!string_field(*body, "input")) {
    return reply(openai_error(400, "input is required: the text to speak.", "invalid_request_error", "input"));
  }
  SubmitBody submit;
  submit.fields["text"] = body->at("input");
  for (const char* name : {"model", "voice", "speed", "lang"}) {
    if (const json::value* v = field(*body, name)) submit.fields[name] = *v;
  }
  const std::function<void(std::function<void()>)> run_blocking = request.run_blocking;
  submit_and_wait(services, client, "txt2audio", std::move(submit), request, reply,
                  [&services, reply, run_blocking](std::optional<Job> job) {
                    if (auto failed = unfinished(job, services, "The speech")) return reply(std::move(*failed));
                    run_blocking([&services, reply, done = std::move(*job)] {
                      auto bytes = services.jobs.blobs().read(done.result_blob);
                      if (!bytes) {
                        return reply(openai_error(500, "The audio could not be read: " + bytes.error().message,
                                                  "server_error"));
                      }
                      http::Response audio;
                      audio.content_type = done.result_mime.empty() ? "audio/wav" : done.result_mime;
                      audio.body = std::move(*bytes);
                      reply(std::move(audio));
                    });
                  });
}

// POST /v1/audio/transcriptions (multipart: file, model, language, response_format
// json|text): {"text"} or the text itself.
void transcribe(Services& services, http::Request& request, const http::Reply& reply, const Client& client);

void handle_transcriptions(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  // Parsing a multipart body of megabytes runs on the blocking pool.
  run_submit(request, [&services, &request, reply, client] { transcribe(services, request, reply, client); });
}

void transcribe(Services& services, http::Request& request, const http::Reply& reply, const Client& client) {
  auto body = parse_submit_body(request);
  if (!body) return reply(openai_error(400, body.error().message, "invalid_request_error"));
  if (body->file("file") == nullptr) {
    return reply(openai_error(400, "file is required: the audio to transcribe (multipart/form-data).",
                              "invalid_request_error", "file"));
  }
  const std::string format = body->fields.contains("response_format") && body->fields.at("response_format").is_string()
                                 ? std::string(body->fields.at("response_format").as_string())
                                 : "json";
  if (format != "json" && format != "text") {
    return reply(openai_error(400, "response_format " + format + " needs segments, which this model does not give: "
                                   "use json or text.", "invalid_request_error", "response_format"));
  }
  body->fields.erase("response_format");
  body->fields.erase("temperature");
  for (http::FormPart& part : body->files) {
    if (part.name == "file") part.name = part.content_type.starts_with("video/") ? "video" : "audio";
  }
  submit_and_wait(services, client, "transcribe", std::move(*body), request, reply,
                  [&services, reply, format](std::optional<Job> job) {
                    if (auto failed = unfinished(job, services, "The transcription")) return reply(std::move(*failed));
                    const std::string text = job->result_text.value_or("");
                    if (format == "text") {
                      http::Response plain;
                      plain.content_type = "text/plain; charset=utf-8";
                      plain.body = text;
                      return reply(std::move(plain));
                    }
                    reply(http::json_response(200, json::object{{"text", text}}));
                  });
}

using Handler = void (*)(Services&, http::Request&, http::Reply, const Client&);

// A /v1 route: the API key checked at the header stage, every answer in OpenAI's shape.
http::Route openai_route(Services& services, Verb verb, const char* path, Handler handler, const char* name) {
  const auto in_openai_shape = [&services, handler](http::Request& r, http::Reply reply, const Client& c) {
    handler(services, r, openai_reply(std::move(reply)), c);
  };
  http::Route route = for_clients(
      services, {verb, path, client_only(services, in_openai_shape), http::Exec::Inline, 0, false, name});
  route.admit = [inner = std::move(route.admit)](http::Request& request) -> std::optional<http::Response> {
    auto refused = inner(request);
    if (refused) return to_openai(std::move(*refused));
    return refused;
  };
  return route;
}

}  // namespace

void add_openai_routes(http::Router& router, Services& services) {
  router.add(openai_route(services, Verb::get, "/v1/models", handle_models, "openai-models"));
  router.add(openai_route(services, Verb::post, "/v1/embeddings", handle_embeddings, "openai-embeddings"));
  router.add(openai_route(services, Verb::post, "/v1/images/generations", handle_image_generations,
                          "openai-images-generations"));
  router.add(taking_files(
      openai_route(services, Verb::post, "/v1/images/edits", handle_image_edits, "openai-images-edits"),
      [&services](const http::Request&) { return submit_body_limit(services, "img2img"); }));
  router.add(openai_route(services, Verb::post, "/v1/audio/speech", handle_speech, "openai-audio-speech"));
  router.add(taking_files(openai_route(services, Verb::post, "/v1/audio/transcriptions", handle_transcriptions,
                                       "openai-audio-transcriptions"),
                          [&services](const http::Request&) { return submit_body_limit(services, "transcribe"); }));
}

}  // namespace genq::api::openai
