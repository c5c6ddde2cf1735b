// Parsing an exec model's `backend` object (config/models.json).
//
//   "backend": {
//     "type": "exec",
//     "argv": ["espeak-ng", "-v", "{voice}", "-w", "{output}", "--stdin"],
//     "stdin": "{text}",
//     -- or, for tools that need more than one command, instead of argv/stdin:
//     "steps": [{"argv": ["ffmpeg", "-i", "{input.audio}", "{dir}/16k.wav"]},
//               {"argv": ["pocketsphinx_continuous", "-infile", "{dir}/16k.wav"], "stdin": "..."}],
//     "output": "speech.wav",          file name in the work dir that {output} stands for
//                                      (required when a task's output is a file)
//     "content_type": "audio/wav",     of the output; default from the output's extension
//     "result": "stdout",              text/json tasks: "stdout" of the last step (default)
//                                      or "file" ({output})
//     "files": {"digits.gram": "..."}, written to the work dir before the first step
//     "progress": {"pattern": "(\\d+)%", "stream": "stderr", "total": "{frames}"},
//                                      stream: stdout, stderr (default) or both
//     "preview": "preview.jpg",        a file the tool rewrites; each new version is sent
//                                      as the job's preview
//     "timeout_s": 600                 the whole job, every step
//   }
//
// Every string in argv, stdin and total may hold placeholders (arg_template.hpp,
// job_values.hpp): {PARAM}, {input.FIELD}, {output}, {dir}, {job_id}, {model}, {task},
// and {a|b} for the first that has a value. Each argv element stays one argument; no
// shell runs. argv[0] must be a literal program (on PATH, or an absolute path).
// Keys starting with '$' are comments; any other unknown key is an error.
#include "genq/runner/backends/exec_config.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <array>

#include "genq/runner/backends/config_error.hpp"
#include "genq/runner/backends/job_values.hpp"

namespace genq::runner {
namespace json = boost::json;
namespace {

constexpr std::array<std::string_view, 14> kExecKeys = {
    "type",     "argv",    "stdin",     "steps",  "output", "content_type", "result",
    "files",    "progress", "preview", "timeout_s", "limits", "env",          "$comment"};
// A limit over this is no limit at all: 1 TiB, a year of CPU.
constexpr double kMaxLimit = 1024.0 * 1024;
// A job that runs for more than a day is a hung tool.
constexpr double kMaxTimeoutSeconds = 86'400;

bool is_text(const json::value& value, std::string_view text) {
  return value.is_string() && value.get_string() == text;
}

ArgTemplate parse_template(const json::value& value, const std::string& where, const catalog::ModelSpec& model) {
  if (!value.is_string()) {
    bad_config(where + " must be a string");
  }
  auto parsed = parse_model_template(value.get_string(), model);
  if (!parsed) {
    bad_config(where + ": " + parsed.error().message);
  }
  return std::move(*parsed);
}

// A file name inside the work dir: no directories, nothing hidden, no escape.
std::string plain_file_name(const json::value& value, const std::string& where) {
  if (!value.is_string() || value.get_string().empty()) {
    bad_config(where + " must be a file name");
  }
  std::string name(value.get_string());
  if (name.find('/') != std::string::npos || name.starts_with(".")) {
    bad_config(where + " must be a plain file name in the work directory, not \"" + name + "\"");
  }
  return name;
}

ExecStep parse_step(const json::value* argv, const json::value* stdin_text, const std::string& where,
                    const catalog::ModelSpec& model) {
  if (argv == nullptr || !argv->is_array() || argv->get_array().empty()) {
    bad_config(where + "argv must be a non-empty array of strings");
  }
  ExecStep step;
  const auto& items = argv->get_array();
  for (std::size_t i = 0; i < items.size(); i++) {
    step.argv.push_back(parse_template(items[i], where + "argv[" + std::to_string(i) + "]", model));
  }
  if (!step.argv.front().names().empty() || step.argv.front().source().empty()) {
    bad_config(where + "argv[0] must name the program literally, without placeholders");
  }
  if (stdin_text != nullptr) {
    step.stdin_text = parse_template(*stdin_text, where + "stdin", model);
  }
  return step;
}

std::string content_type_for(const std::string& file_name) {
  static const std::array<std::pair<std::string_view, std::string_view>, 10> kTypes = {{
      {".png", "image/png"},   {".jpg", "image/jpeg"},       {".jpeg", "image/jpeg"}, {".webp", "image/webp"},
      {".wav", "audio/wav"},   {".mp3", "audio/mpeg"},       {".mp4", "video/mp4"},   {".webm", "video/webm"},
      {".txt", "text/plain"},  {".json", "application/json"},
  }};
  for (const auto& [extension, type] : kTypes) {
    if (file_name.ends_with(extension)) {
      return std::string(type);
    }
  }
  return "";
}

ExecConfig parse_exec_object(const json::object& backend, const catalog::ModelSpec& model) {
  for (const auto& item : backend) {
    if (!item.key().starts_with("$") && std::find(kExecKeys.begin(), kExecKeys.end(), item.key()) == kExecKeys.end()) {
      bad_config("unknown key \"" + std::string(item.key()) + "\"");
    }
  }
  ExecConfig config;
  const json::value* steps = backend.if_contains("steps");
  const json::value* argv = backend.if_contains("argv");
  if ((steps == nullptr) == (argv == nullptr)) {
    bad_config("give either \"argv\" (one command) or \"steps\" (several)");
  }
  if (argv != nullptr) {
    config.steps.push_back(parse_step(argv, backend.if_contains("stdin"), "", model));
  } else {
    if (backend.contains("stdin")) {
      bad_config("\"stdin\" goes inside each step when \"steps\" is used");
    }
    if (!steps->is_array() || steps->get_array().empty()) {
      bad_config("\"steps\" must be a non-empty array of {\"argv\": [...]} objects");
    }
    for (std::size_t i = 0; i < steps->get_array().size(); i++) {
      const json::value& step = steps->get_array()[i];
      const std::string where = "steps[" + std::to_string(i) + "].";
      if (!step.is_object()) {
        bad_config(where + " must be an object");
      }
      for (const auto& item : step.get_object()) {
        if (item.key() != "argv" && item.key() != "stdin" && !item.key().starts_with("$")) {
          bad_config(where + ": unknown key \"" + std::string(item.key()) + "\"");
        }
      }
      config.steps.push_back(parse_step(step.get_object().if_contains("argv"),
                                        step.get_object().if_contains("stdin"), where, model));
    }
  }
  if (const json::value* output = backend.if_contains("output")) {
    config.output_name = plain_file_name(*output, "\"output\"");
  }
  if (const json::value* type = backend.if_contains("content_type")) {
    if (!type->is_string() || type->get_string().empty()) {
      bad_config("\"content_type\" must be a non-empty string");
    }
    config.content_type = std::string(type->get_string());
  } else if (!config.output_name.empty()) {
    config.content_type = content_type_for(config.output_name);
  }
  if (const json::value* result = backend.if_contains("result")) {
    if (is_text(*result, "stdout")) {
      config.result = ResultSource::Stdout;
    } else if (is_text(*result, "file")) {
      config.result = ResultSource::File;
    } else {
      bad_config("\"result\" must be \"stdout\" or \"file\"");
    }
  }
  if (config.result == ResultSource::File && config.output_name.empty()) {
    bad_config("\"result\": \"file\" needs \"output\"");
  }
  if (const json::value* files = backend.if_contains("files")) {
    if (!files->is_object()) {
      bad_config("\"files\" must be an object of file name -> text");
    }
    for (const auto& item : files->get_object()) {
      const std::string name = plain_file_name(json::value(item.key()), "\"files\" key");
      if (!item.value().is_string()) {
        bad_config("\"files\"." + name + " must be a string (the file's text)");
      }
      config.files.emplace_back(name, std::string(item.value().get_string()));
    }
  }
  if (const json::value* progress = backend.if_contains("progress")) {
    if (!progress->is_object()) {
      bad_config("\"progress\" must be an object {\"pattern\", \"stream\", \"total\"}");
    }
    const json::object& p = progress->get_object();
    for (const auto& item : p) {
      if (item.key() != "pattern" && item.key() != "stream" && item.key() != "total" &&
          !item.key().starts_with("$")) {
        bad_config("\"progress\": unknown key \"" + std::string(item.key()) + "\"");
      }
    }
    const json::value* pattern = p.if_contains("pattern");
    if (pattern == nullptr || !pattern->is_string()) {
      bad_config("\"progress\".pattern must be a string");
    }
    auto compiled = ProgressPattern::compile(std::string(pattern->get_string()));
    if (!compiled) {
      bad_config(compiled.error().message);
    }
    ExecProgress parsed{std::move(*compiled), ProgressStream::Stderr, std::nullopt};
    if (const json::value* stream = p.if_contains("stream")) {
      if (is_text(*stream, "stdout")) {
        parsed.stream = ProgressStream::Stdout;
      } else if (is_text(*stream, "stderr")) {
        parsed.stream = ProgressStream::Stderr;
      } else if (is_text(*stream, "both")) {
        parsed.stream = ProgressStream::Both;
      } else {
        bad_config("\"progress\".stream must be stdout, stderr or both");
      }
    }
    if (const json::value* total = p.if_contains("total")) {
      parsed.total = parse_template(*total, "\"progress\".total", model);
    }
    config.progress = std::move(parsed);
  }
  if (const json::value* preview = backend.if_contains("preview")) {
    config.preview_name = plain_file_name(*preview, "\"preview\"");
  }
  if (const json::value* timeout = backend.if_contains("timeout_s")) {
    if (!timeout->is_number() || timeout->to_number<double>() < 1 ||
        timeout->to_number<double>() > kMaxTimeoutSeconds) {
      bad_config("\"timeout_s\" must be a number of seconds from 1 to 86400");
    }
    config.timeout = std::chrono::seconds(static_cast<std::int64_t>(timeout->to_number<double>()));
  }
  if (const json::value* limits = backend.if_contains("limits")) {
    if (!limits->is_object()) bad_config("\"limits\" must be an object of memory_mb, cpu_s and file_mb");
    for (const auto& item : limits->as_object()) {
      const json::value& v = item.value();
      if (!v.is_number() || v.to_number<double>() < 1 || v.to_number<double>() > kMaxLimit * 32) {
        bad_config("\"limits\"." + std::string(item.key()) + " must be a positive number");
      }
      const auto n = static_cast<std::uint64_t>(v.to_number<double>());
      if (item.key() == "memory_mb") {
        config.limits.memory_bytes = n << 20;
      } else if (item.key() == "cpu_s") {
        config.limits.cpu_seconds = n;
      } else if (item.key() == "file_mb") {
        config.limits.file_bytes = n << 20;
      } else if (!item.key().starts_with("$")) {
        bad_config("\"limits\" has an unknown key \"" + std::string(item.key()) + "\" (memory_mb, cpu_s, file_mb)");
      }
    }
  }
  if (config.limits.cpu_seconds == 0) config.limits.cpu_seconds = static_cast<std::uint64_t>(config.timeout.count());
  if (const json::value* env = backend.if_contains("env")) {
    if (!env->is_object()) bad_config("\"env\" must be an object of NAME: value strings");
    for (const auto& item : env->as_object()) {
      if (item.key().empty() || item.key().find('=') != std::string_view::npos || !item.value().is_string()) {
        bad_config("\"env\"." + std::string(item.key()) + " must be a string, its name without '='");
      }
      config.env.emplace_back(item.key(), item.value().as_string());
    }
  }
  return config;
}

}  // namespace

std::vector<std::string> ExecConfig::programs() const {
  std::vector<std::string> names;
  for (const ExecStep& step : steps) {
    names.push_back(step.argv.front().source());
  }
  return names;
}

Result<ExecConfig> parse_exec_config(const json::value& backend, const catalog::ModelSpec& model) {
  if (!backend.is_object()) {
    return fail(Error::invalid("model " + model.name + ": backend must be an object"));
  }
  try {
    return parse_exec_object(backend.get_object(), model);
  } catch (const BadConfig& e) {
    return fail(Error::invalid("model " + model.name + ": exec backend: " + e.message));
  }
}

}  // namespace genq::runner
