#include "support/job_requests.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "support/media.hpp"

namespace genq::testing {
namespace {

// Parameters that make outputs big or jobs slow: tests ask for the small end.
bool is_dimension(std::string_view name) { return name == "width" || name == "height"; }
bool is_step_count(std::string_view name) {
  return name == "steps" || name == "num_inference_steps";
}
bool is_duration(std::string_view name) {
  return name == "duration" || name == "seconds" || name == "length" || name == "frames" ||
         name == "num_frames" || name == "fps" || name == "audio_length_in_s" ||
         name == "duration_seconds";
}

constexpr double kSmallSide = 64;
constexpr double kFewSteps = 4;

double clamp_to_spec(double value, const catalog::ParamSpec& spec) {
  if (spec.step && *spec.step > 0) {
    const double base = spec.min.value_or(0);
    value = base + std::ceil((value - base) / *spec.step) * *spec.step;
  }
  if (spec.min) {
    value = std::max(value, *spec.min);
  }
  if (spec.max) {
    value = std::min(value, *spec.max);
  }
  return value;
}

std::string form_text(const boost::json::value& value) {
  if (value.is_string()) {
    return std::string(value.get_string());
  }
  return boost::json::serialize(value);
}

// Which kind of file a field wants: by its name first, then by the task's input.
std::string file_kind(std::string_view task, std::string_view field) {
  for (const std::string_view kind : {"image", "audio", "video"}) {
    if (field.find(kind) != std::string_view::npos) {
      return std::string(kind);
    }
  }
  if (task.starts_with("img")) {
    return "image";
  }
  if (task.starts_with("vid")) {
    return "video";
  }
  return "audio";  // transcribe, aud2txt
}

}  // namespace

HttpResponse JobRequest::submit(const HttpClient& client, const Headers& headers) const {
  const std::string target = "/api/v1/client/" + task;
  if (files.empty()) {
    return client.post_json(target, fields, headers);
  }
  MultipartBody body;
  for (const auto& [name, value] : fields) {
    body.fields.emplace_back(std::string(name), form_text(value));
  }
  body.files = files;
  return client.post_multipart(target, body, headers);
}

HttpResponse JobRequest::price(const HttpClient& client) const {
  JobRequest twin = *this;
  twin.task = task + "/price-calculation";
  return twin.submit(client);
}

std::string request_id_of(const HttpResponse& response) {
  if (response.status != 200) {
    throw std::runtime_error("submit failed: " + response.describe());
  }
  const auto body = response.json();
  const auto* id = json_at(body, "/data/request_id");
  if (id == nullptr || !id->is_string() || id->get_string().empty()) {
    throw std::runtime_error("submit answer has no data.request_id: " + response.describe());
  }
  return std::string(id->get_string());
}

RequestFactory::RequestFactory(const std::string& catalog_path, const TempDir& scratch)
    : scratch_(scratch) {
  auto loaded = catalog::Catalog::load_file(catalog_path);
  if (!loaded) {
    throw std::runtime_error("cannot load catalog " + catalog_path + ": " +
                             loaded.error().message);
  }
  catalog_ = std::move(*loaded);
}

const catalog::ModelSpec* RequestFactory::model_for(std::string_view task) const {
  for (const auto& model : catalog_.models()) {
    if (std::find(model.tasks.begin(), model.tasks.end(), task) != model.tasks.end()) {
      return &model;
    }
  }
  return nullptr;
}

const catalog::ModelSpec* RequestFactory::model_not_serving(std::string_view task) const {
  for (const auto& model : catalog_.models()) {
    if (std::find(model.tasks.begin(), model.tasks.end(), task) == model.tasks.end()) {
      return &model;
    }
  }
  return nullptr;
}

const catalog::ParamSpec* RequestFactory::param(const catalog::ModelSpec& model,
                                                std::string_view name) const {
  for (const auto& spec : model.params) {
    if (spec.name == name) {
      return &spec;
    }
  }
  return nullptr;
}

boost::json::value RequestFactory::choose_value(const catalog::ParamSpec& spec) const {
  using catalog::ParamType;
  switch (spec.type) {
    case ParamType::Integer:
    case ParamType::Number: {
      double value = 1;
      if (is_dimension(spec.name)) {
        value = kSmallSide;
      } else if (is_step_count(spec.name)) {
        value = kFewSteps;
      } else if (is_duration(spec.name)) {
        value = spec.min.value_or(1);
      } else if (spec.default_value && spec.default_value->is_number()) {
        value = spec.default_value->to_number<double>();
      } else if (spec.min) {
        value = *spec.min;
      }
      value = clamp_to_spec(value, spec);
      if (spec.type == ParamType::Integer) {
        return static_cast<std::int64_t>(std::llround(value));
      }
      return value;
    }
    case ParamType::Boolean:
      if (spec.default_value && spec.default_value->is_bool()) {
        return spec.default_value->get_bool();
      }
      return false;
    case ParamType::String: {
      if (!spec.allowed.empty()) {
        if (spec.default_value && spec.default_value->is_string() &&
            std::find(spec.allowed.begin(), spec.allowed.end(),
                      spec.default_value->get_string()) != spec.allowed.end()) {
          return *spec.default_value;
        }
        return boost::json::string(spec.allowed.front());
      }
      std::string text = "a red fox in fresh snow";
      const auto min_length = static_cast<std::size_t>(spec.min.value_or(0));
      while (text.size() < min_length) {
        text += " again";
      }
      if (spec.max && text.size() > static_cast<std::size_t>(*spec.max)) {
        text.resize(static_cast<std::size_t>(*spec.max));
      }
      return boost::json::string(text);
    }
    case ParamType::File:
    case ParamType::Loras:
      break;
  }
  return nullptr;
}

FilePart RequestFactory::input_file(std::string_view task, const std::string& field) const {
  const std::string kind = file_kind(task, field);
  auto found = generated_.find(kind);
  if (found == generated_.end()) {
    std::string path;
    if (kind == "image") {
      path = scratch_.file("input.png");
      write_file(path, make_png(64, 64));
    } else if (kind == "audio") {
      path = scratch_.file("input.wav");
      write_file(path, make_wav(1.0));
    } else {
      path = scratch_.file("input.mp4");
      write_mp4(path);
    }
    found = generated_.emplace(kind, path).first;
  }
  const std::string content_type =
      kind == "image" ? "image/png" : kind == "audio" ? "audio/wav" : "video/mp4";
  return FilePart{field, found->second, content_type, {}};
}

JobRequest RequestFactory::minimal(std::string_view task) const {
  const auto* model = model_for(task);
  if (model == nullptr) {
    throw std::runtime_error("no model in the catalog serves task " + std::string(task));
  }
  return minimal(task, *model);
}

JobRequest RequestFactory::minimal(std::string_view task, const catalog::ModelSpec& model) const {
  const auto* task_spec = catalog_.find_task(task);
  if (task_spec == nullptr) {
    throw std::runtime_error("the catalog has no task " + std::string(task));
  }
  JobRequest request;
  request.task = std::string(task);
  request.model = model.name;
  request.fields["model"] = model.name;
  // A file parameter applies only if the task takes that file (a model serving both
  // txt2video and img2video declares `image`); of alternatives ("audio" required
  // without "video") the first is enough.
  const auto takes_file = [&](const std::string& name) {
    return task_spec->takes_file(name);
  };
  std::vector<std::string> file_fields;
  for (const auto& spec : model.params) {
    if (spec.type == catalog::ParamType::File) {
      const bool alternative_sent =
          std::any_of(spec.required_without.begin(), spec.required_without.end(),
                      [&](const std::string& other) {
                        return std::find(file_fields.begin(), file_fields.end(), other) !=
                               file_fields.end();
                      });
      if (spec.required && takes_file(spec.name) && !alternative_sent) {
        file_fields.push_back(spec.name);
      }
      continue;
    }
    const bool sizes_output =
        is_dimension(spec.name) || is_step_count(spec.name) || is_duration(spec.name);
    if (spec.required || sizes_output) {
      request.fields[spec.name] = choose_value(spec);
    }
  }
  for (const auto& field : file_fields) {
    request.files.push_back(input_file(task, field));
  }
  if (task_spec->output == catalog::OutputKind::Text ||
      task_spec->output == catalog::OutputKind::Json) {
    request.fields["return_result_in_response"] = true;
  }
  return request;
}

const std::vector<std::string>& contract_tasks() {
  static const std::vector<std::string> tasks = {
      "txt2img",    "img2img", "txt2video", "img2video",     "txt2audio",
      "txt2music",  "transcribe", "aud2txt", "vid2txt",      "img2txt",
      "txt2embedding", "img-upscale", "img-rmbg", "vid-upscale", "vid-rmbg"};
  return tasks;
}

}  // namespace genq::testing
