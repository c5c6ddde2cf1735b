#include "genq/runner/backends/job_values.hpp"

#include <fmt/format.h>

#include <array>

namespace genq::runner {
namespace {

constexpr std::string_view kInputPrefix = "input.";
constexpr std::array<std::string_view, 5> kBuiltIns = {"output", "dir", "job_id", "model", "task"};

}  // namespace

std::string param_text(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return std::string(value.get_string());
    case boost::json::kind::int64:
      return std::to_string(value.get_int64());
    case boost::json::kind::uint64:
      return std::to_string(value.get_uint64());
    case boost::json::kind::double_:
      return fmt::format("{}", value.get_double());  // shortest text that reads back the same
    case boost::json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    default:
      return "";
  }
}

std::optional<std::string> JobValues::text(std::string_view name) const {
  if (name.starts_with(kInputPrefix)) {
    const auto found = job_.inputs.find(std::string(name.substr(kInputPrefix.size())));
    return found == job_.inputs.end() ? std::nullopt : std::optional<std::string>(found->second.string());
  }
  if (name == "output") {
    return output_.string();
  }
  if (name == "dir") {
    return job_.work_dir.string();
  }
  if (name == "job_id") {
    return job_.job_id;
  }
  if (name == "model") {
    return job_.model;
  }
  if (name == "task") {
    return job_.task;
  }
  const auto* value = job_.params.if_contains(name);
  if (value == nullptr || value->is_null() || value->is_object() || value->is_array()) {
    return std::nullopt;
  }
  return param_text(*value);
}

Result<ArgTemplate> parse_model_template(std::string_view text, const catalog::ModelSpec& model) {
  auto parsed = ArgTemplate::parse(text);
  if (!parsed) {
    return fail(std::move(parsed.error()));
  }
  if (auto checked = check_placeholders(*parsed, model); !checked) {
    return fail(std::move(checked.error()));
  }
  return parsed;
}

Status check_placeholders(const ArgTemplate& arg, const catalog::ModelSpec& model) {
  for (const std::string& name : arg.names()) {
    bool known = false;
    for (std::string_view built_in : kBuiltIns) {
      known = known || name == built_in;
    }
    if (std::string_view(name).starts_with(kInputPrefix)) {
      const auto* param = model.find_param(std::string_view(name).substr(kInputPrefix.size()));
      known = param != nullptr && param->type == catalog::ParamType::File;
    } else if (const auto* param = model.find_param(name); param != nullptr) {
      known = param->type != catalog::ParamType::File;
    }
    if (!known) {
      return fail(Error::invalid("placeholder {" + name + "} in \"" + arg.source() +
                                 "\" is no parameter of the model, no input.FILE and none of output, dir, "
                                 "job_id, model, task"));
    }
  }
  return {};
}

}  // namespace genq::runner
