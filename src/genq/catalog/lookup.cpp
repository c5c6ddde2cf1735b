// Looking things up in a loaded catalog, and the names of its enums. The loader is
// catalog.cpp.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "genq/catalog/catalog.hpp"
#include "genq/catalog/name_list.hpp"

namespace genq::catalog {

std::string_view param_type_text(ParamType type) {
  switch (type) {
    case ParamType::Integer:
      return "integer";
    case ParamType::Number:
      return "number";
    case ParamType::String:
      return "string";
    case ParamType::Boolean:
      return "boolean";
    case ParamType::File:
      return "file";
    case ParamType::Loras:
      return "loras";
  }
  return "string";
}

std::string_view output_kind_text(OutputKind kind) {
  switch (kind) {
    case OutputKind::Image:
      return "image";
    case OutputKind::Video:
      return "video";
    case OutputKind::Audio:
      return "audio";
    case OutputKind::Text:
      return "text";
    case OutputKind::Json:
      return "json";
  }
  return "json";
}

std::optional<OutputKind> parse_output_kind(std::string_view text) {
  for (OutputKind kind :
       {OutputKind::Image, OutputKind::Video, OutputKind::Audio, OutputKind::Text, OutputKind::Json}) {
    if (output_kind_text(kind) == text) {
      return kind;
    }
  }
  return std::nullopt;
}

const ParamSpec* ModelSpec::find_param(std::string_view param_name) const {
  for (const ParamSpec& p : params) {
    if (p.name == param_name) {
      return &p;
    }
  }
  return nullptr;
}

bool ModelSpec::serves(std::string_view task) const { return contains(tasks, task); }

bool TaskSpec::takes_file(std::string_view field) const {
  return contains(file_fields, field) || contains(optional_files, field);
}

const TaskSpec* Catalog::find_task(std::string_view name) const {
  for (const TaskSpec& t : tasks_) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

std::size_t Catalog::files_limit(const TaskSpec& task) const {
  // Each field as many times as any model serving the task takes it (images[]).
  auto parts_of = [&](const std::string& field) {
    std::size_t most = 1;
    for (const ModelSpec& m : models_) {
      if (const ParamSpec* p = m.serves(task.name) ? m.find_param(field) : nullptr) {
        most = std::max(most, static_cast<std::size_t>(std::max(1, p->max_files)));
      }
    }
    return most;
  };
  std::size_t total = 0;
  for (const std::string& field : task.file_fields) total += file_limit(field) * parts_of(field);
  for (const std::string& field : task.optional_files) total += file_limit(field) * parts_of(field);
  return total;
}

const ModelSpec* Catalog::default_model(std::string_view task) const {
  for (const ModelSpec& m : models_) {
    if (m.serves(task)) {
      return &m;
    }
  }
  return nullptr;
}

const TaskSpec* Catalog::find_task_by_mode(std::string_view mode) const {
  if (mode.empty()) {
    return nullptr;
  }
  for (const TaskSpec& t : tasks_) {
    if (t.dialect_mode == mode) {
      return &t;
    }
  }
  return nullptr;
}

std::string_view Catalog::dialect_field(std::string_view input_name) const {
  for (const auto& [name, param] : dialect_fields_) {
    if (name == input_name) {
      return param;
    }
  }
  return input_name;
}

const ModelSpec* Catalog::find_model(std::string_view name) const {
  if (name.empty()) {
    return nullptr;
  }
  for (const ModelSpec& m : models_) {
    if (m.name == name || m.slug == name || contains(m.aliases, name)) {
      return &m;
    }
  }
  return nullptr;
}

}  // namespace genq::catalog
