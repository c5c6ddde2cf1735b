// Parsing an http model's `backend` object (config/models.json).
//
//   "backend": {
//     "type": "http",
//     "url": "http://127.0.0.1:7860/generate",   POSTed once per job (placeholders allowed)
//     "inputs": "path",                            input files as local paths (default; the
//                                                  server runs on the worker's machine) or
//                                                  "base64" (their bytes, base64-encoded)
//     "body": {"prompt": "{prompt}", "size": "{width}x{height}", "steps": "{steps}"},
//                                                  optional template; a string that is one
//                                                  whole placeholder keeps the value's JSON
//                                                  type ("{steps}" -> 4); default body:
//                                                  {"job_id","task","model","params":{...},
//                                                   "inputs":{"image":"<path or base64>"}}
//     "result_pointer": "/text",                   text/json tasks: where the result is in
//                                                  a JSON answer (default: the whole answer)
//     "progress_url": "http://127.0.0.1:7860/progress/{job_id}",
//                                                  optional; GET every progress_interval_ms
//                                                  while the job runs; answers
//                                                  {"progress": 0-100, "preview": "<base64 JPEG>"}
//     "progress_interval_ms": 500,
//     "timeout_s": 600                             the whole request
//   }
//
// The answer: for image/audio/video tasks the file itself, typed by its Content-Type;
// for text tasks text/plain or JSON; for json tasks JSON. A 503 answer fails the job
// as retryable (the server is busy or loading), any other non-2xx as final, with the
// start of the answer's body as the error.
#include "genq/runner/backends/http_config.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <array>

#include "genq/runner/backends/config_error.hpp"
#include "genq/runner/backends/job_values.hpp"

namespace genq::runner {
namespace json = boost::json;
namespace {

constexpr std::array<std::string_view, 9> kHttpKeys = {"type",        "url",          "inputs",
                                                       "body",        "result_pointer", "progress_url",
                                                       "progress_interval_ms", "timeout_s", "$comment"};

ArgTemplate url_template(const json::value& value, const std::string& where, const catalog::ModelSpec& model) {
  if (!value.is_string() ||
      !(value.get_string().starts_with("http://") || value.get_string().starts_with("https://"))) {
    bad_config(where + " must be an http:// or https:// URL");
  }
  auto parsed = parse_model_template(value.get_string(), model);
  if (!parsed) {
    bad_config(where + ": " + parsed.error().message);
  }
  return std::move(*parsed);
}

// Every string in a body template must parse and name only what a job has.
void check_body(const json::value& value, const catalog::ModelSpec& model) {
  if (value.is_string()) {
    if (auto parsed = parse_model_template(value.get_string(), model); !parsed) {
      bad_config("\"body\": " + parsed.error().message);
    }
  } else if (value.is_array()) {
    for (const json::value& item : value.get_array()) {
      check_body(item, model);
    }
  } else if (value.is_object()) {
    for (const auto& item : value.get_object()) {
      check_body(item.value(), model);
    }
  }
}

double positive_number(const json::value& value, const std::string& key, double max) {
  if (!value.is_number() || value.to_number<double>() < 1 || value.to_number<double>() > max) {
    bad_config("\"" + key + "\" must be a number from 1 to " + std::to_string(static_cast<long long>(max)));
  }
  return value.to_number<double>();
}

HttpConfig parse_http_object(const json::object& backend, const catalog::ModelSpec& model) {
  for (const auto& item : backend) {
    if (!item.key().starts_with("$") && std::find(kHttpKeys.begin(), kHttpKeys.end(), item.key()) == kHttpKeys.end()) {
      bad_config("unknown key \"" + std::string(item.key()) + "\"");
    }
  }
  const json::value* url = backend.if_contains("url");
  if (url == nullptr) {
    bad_config("\"url\" is required");
  }
  HttpConfig config{url_template(*url, "\"url\"", model)};
  if (const json::value* inputs = backend.if_contains("inputs")) {
    if (inputs->is_string() && inputs->get_string() == "path") {
      config.inputs = InputPassing::Path;
    } else if (inputs->is_string() && inputs->get_string() == "base64") {
      config.inputs = InputPassing::Base64;
    } else {
      bad_config("\"inputs\" must be \"path\" or \"base64\"");
    }
  }
  if (const json::value* body = backend.if_contains("body")) {
    check_body(*body, model);
    config.body = *body;
  }
  if (const json::value* pointer = backend.if_contains("result_pointer")) {
    if (!pointer->is_string() || (!pointer->get_string().empty() && !pointer->get_string().starts_with("/"))) {
      bad_config("\"result_pointer\" must be a JSON pointer such as \"/text\"");
    }
    config.result_pointer = std::string(pointer->get_string());
  }
  if (const json::value* progress = backend.if_contains("progress_url")) {
    config.progress_url = url_template(*progress, "\"progress_url\"", model);
  }
  if (const json::value* interval = backend.if_contains("progress_interval_ms")) {
    config.progress_interval =
        std::chrono::milliseconds(static_cast<std::int64_t>(positive_number(*interval, "progress_interval_ms", 60'000)));
  }
  if (const json::value* timeout = backend.if_contains("timeout_s")) {
    config.timeout = std::chrono::seconds(static_cast<std::int64_t>(positive_number(*timeout, "timeout_s", 86'400)));
  }
  return config;
}

}  // namespace

Result<HttpConfig> parse_http_config(const json::value& backend, const catalog::ModelSpec& model) {
  if (!backend.is_object()) {
    return fail(Error::invalid("model " + model.name + ": backend must be an object"));
  }
  try {
    return parse_http_object(backend.get_object(), model);
  } catch (const BadConfig& e) {
    return fail(Error::invalid("model " + model.name + ": http backend: " + e.message));
  }
}

}  // namespace genq::runner
