// Request validation against the catalog (SPEC §3): the 422 messages a deAPI
// client sees, worded as Laravel words them.
#include <algorithm>

#include "genq/catalog/catalog.hpp"
#include "genq/catalog/name_list.hpp"
#include "genq/catalog/param_check.hpp"

namespace genq::catalog {
namespace json = boost::json;

namespace {

// Named so the handful of model messages are easy to find and to compare with
// deAPI's (which says "The selected model does not exist.").
constexpr std::string_view kModelRequired = "The model field is required.";
constexpr std::string_view kModelNotString = "The model field must be a string.";
constexpr std::string_view kModelUnknown = "The selected model is invalid.";

// Laravel converts empty strings to null before validating, and null is absent.
bool is_absent(const json::value& v) { return v.is_null() || (v.is_string() && v.get_string().empty()); }

// Every lora named must be one the model lists.
void check_lora_names(const ParamSpec& p, const ModelSpec& model, const json::value& loras, FieldErrors& errors) {
  const json::array& known = model.loras.get_array();
  for (std::size_t i = 0; i < loras.get_array().size(); ++i) {
    const json::value& name = loras.get_array()[i].at("name");
    const bool listed = std::any_of(known.begin(), known.end(),
                                    [&](const json::value& k) { return k.at("name") == name; });
    if (!listed) {
      errors.add(p.name + "." + std::to_string(i) + ".name",
                 "The selected " + p.name + "." + std::to_string(i) + ".name is invalid.");
    }
  }
}

std::string required_message(std::string_view field) {
  return "The " + detail::attribute(field) + " field is required.";
}

std::string not_supported_message(std::string_view field) {
  return "The " + detail::attribute(field) + " field is not supported.";
}

bool has_errors_for(const FieldErrors& errors, std::string_view field) {
  return std::any_of(errors.fields.begin(), errors.fields.end(),
                     [&](const auto& entry) { return entry.first == field; });
}

// A file parameter counts for this task only if the task takes that file: a model
// serving txt2video and img2video declares `image`, which txt2video must refuse.
bool applies(const ParamSpec& p, const TaskSpec& task) {
  return p.type != ParamType::File || task.takes_file(p.name);
}

// Price-only fields (deAPI's price-calculation twins): what stands in for a file or
// a text the price depends on. Accepted only where the model has no parameter of
// the name; a number (whole for counts and sizes) of at least `min`.
struct PriceOnlyField {
  std::string_view name;
  ParamType type;
  double min;
};
constexpr PriceOnlyField kPriceOnlyFields[] = {
    {"count_text", ParamType::Integer, 0}, {"duration_seconds", ParamType::Number, 0},
    {"duration", ParamType::Number, 0},    {"width", ParamType::Integer, 1},
    {"height", ParamType::Integer, 1},     {"frames", ParamType::Integer, 1},
    {"fps", ParamType::Integer, 1},
};

const PriceOnlyField* price_only_field(std::string_view name) {
  for (const PriceOnlyField& f : kPriceOnlyFields) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

// required_if: the other field's value as sent (or its default) equals the value.
bool required_by_condition(const ParamSpec& p, const ModelSpec& model, const json::object& body) {
  if (!p.required_if) {
    return false;
  }
  const auto& [field, wanted] = *p.required_if;
  const json::value* v = body.if_contains(field);
  if (v == nullptr || is_absent(*v)) {
    const ParamSpec* other = model.find_param(field);
    v = other != nullptr && other->default_value ? &*other->default_value : nullptr;
  }
  return v != nullptr && v->is_string() && v->get_string() == wanted;
}

std::string required_if_message(const ParamSpec& p) {
  return "The " + detail::attribute(p.name) + " field is required when " + detail::attribute(p.required_if->first) +
         " is " + p.required_if->second + ".";
}

void check_file(const ParamSpec& p, const TaskSpec& task, const ModelSpec& model, const json::object& body,
                const std::vector<std::string>& present_files, bool pricing, ValidatedRequest& out,
                FieldErrors& errors) {
  if (contains(present_files, p.name)) {
    const auto count = std::count(present_files.begin(), present_files.end(), p.name);
    if (count > p.max_files) {
      errors.add(p.name, p.max_files == 1 ? "The " + detail::attribute(p.name) + " field must be a single file."
                                          : "The " + detail::attribute(p.name) + " field must not have more than " +
                                                std::to_string(p.max_files) + " files.");
      return;
    }
    out.file_fields.push_back(p.name);
    return;
  }
  // A JSON body (or a plain form field) cannot carry the file itself.
  if (const json::value* v = body.if_contains(p.name); v != nullptr && !is_absent(*v)) {
    errors.add(p.name, detail::type_message(p));
    return;
  }
  if (pricing) {
    return;
  }
  if (required_by_condition(p, model, body)) {
    errors.add(p.name, required_if_message(p));
    return;
  }
  if (!p.required) {
    return;
  }
  std::vector<std::string> others;
  for (const std::string& other : p.required_without) {
    const ParamSpec* o = model.find_param(other);
    if (o != nullptr && applies(*o, task)) {
      others.push_back(other);
    }
  }
  if (others.empty()) {
    errors.add(p.name, required_message(p.name));
    return;
  }
  if (std::any_of(others.begin(), others.end(),
                  [&](const std::string& o) { return contains(present_files, o); })) {
    return;
  }
  std::string names;
  for (const std::string& o : others) {
    names += (names.empty() ? "" : " / ") + detail::attribute(o);
  }
  errors.add(p.name,
             "The " + detail::attribute(p.name) + " field is required when " + names + " is not present.");
}

}  // namespace

void FieldErrors::add(const std::string& field, std::string problem) {
  for (auto& entry : fields) {
    if (entry.first == field) {
      entry.second.push_back(std::move(problem));
      return;
    }
  }
  fields.emplace_back(field, std::vector<std::string>{std::move(problem)});
}

std::expected<ValidatedRequest, FieldErrors> Catalog::validate(std::string_view task,
                                                               const json::object& body,
                                                               const std::vector<std::string>& reserved,
                                                               const std::vector<std::string>& present_files,
                                                               bool from_form, ValidationMode mode) const {
  const bool pricing = mode == ValidationMode::Price;
  FieldErrors errors;
  const TaskSpec* t = find_task(task);
  if (t == nullptr) {
    errors.add("task", "The selected task is invalid.");
    return std::unexpected(std::move(errors));
  }

  // The model decides every other rule, so nothing else is checked without one.
  const ModelSpec* m = nullptr;
  const json::value* model_value = body.if_contains("model");
  if (model_value == nullptr || is_absent(*model_value)) {
    errors.add("model", std::string(kModelRequired));
  } else if (!model_value->is_string()) {
    errors.add("model", std::string(kModelNotString));
  } else if (m = find_model(model_value->get_string()); m == nullptr) {
    errors.add("model", std::string(kModelUnknown));
  } else if (!m->serves(t->name)) {
    errors.add("model", "The selected model does not support " + t->title + ".");
  }
  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }

  ValidatedRequest out;
  out.model = m;
  out.task = t;
  for (const ParamSpec& p : m->params) {
    if (!applies(p, *t) || contains(reserved, p.name)) {
      continue;
    }
    if (p.type == ParamType::File) {
      check_file(p, *t, *m, body, present_files, pricing, out, errors);
      continue;
    }
    const json::value* v = body.if_contains(p.name);
    if (v == nullptr || is_absent(*v)) {
      if (p.required && !pricing) {
        errors.add(p.name, required_message(p.name));
      } else if (!pricing && required_by_condition(p, *m, body)) {
        errors.add(p.name, required_if_message(p));
      } else if (p.default_value) {
        out.params[p.name] = *p.default_value;
      }
      continue;
    }
    auto checked = detail::check_value(p, *v, from_form);
    if (!checked) {
      for (std::string& problem : checked.error()) {
        errors.add(p.name, std::move(problem));
      }
      continue;
    }
    if (p.type == ParamType::Loras) {
      check_lora_names(p, *m, *checked, errors);
    }
    out.params[p.name] = std::move(*checked);
  }

  // Whatever the model does not take is refused, so a misspelt "widht" is an error
  // rather than a silently ignored field. A null or empty one was not really sent
  // (deAPI clients send "negative_prompt": null to models without one).
  for (const auto& item : body) {
    const std::string_view key = item.key();
    if (key == "model" || contains(reserved, key) || is_absent(item.value())) {
      continue;
    }
    const ParamSpec* p = m->find_param(key);
    if (p != nullptr && applies(*p, *t)) {
      continue;
    }
    if (const PriceOnlyField* f = pricing && p == nullptr ? price_only_field(key) : nullptr) {
      ParamSpec spec;
      spec.name = std::string(key);
      spec.type = f->type;
      spec.min = f->min;
      auto checked = detail::check_value(spec, item.value(), from_form);
      if (!checked) {
        for (std::string& problem : checked.error()) errors.add(spec.name, std::move(problem));
      } else {
        out.price_inputs[key] = std::move(*checked);
      }
      continue;
    }
    errors.add(std::string(key), not_supported_message(key));
  }
  for (const std::string& file : present_files) {
    if (contains(reserved, file) || has_errors_for(errors, file)) {
      continue;
    }
    const ParamSpec* p = m->find_param(file);
    if (p == nullptr || !applies(*p, *t)) {
      errors.add(file, not_supported_message(file));
    } else if (p->type != ParamType::File) {
      errors.add(file, detail::type_message(*p));
    }
  }

  if (!errors.empty()) {
    return std::unexpected(std::move(errors));
  }
  return out;
}

}  // namespace genq::catalog
