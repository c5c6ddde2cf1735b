// One model as GET /api/v1/client/models lists it. deAPI's item is
//   {"name","slug","inference_types":[...],"info":{"limits","features","defaults"},
//    "languages":[...] (speech models only), "loras":[...] (models taking loras)}
// where `slug` is what a client sends as `model`; genq adds "aliases",
// "description", "parameters" (each parameter's type, default and bounds) and
// "pricing", so a client can build a valid request from this item alone.
#include <cmath>
#include <cstdint>
#include <string>

#include "genq/catalog/catalog.hpp"

namespace genq::catalog {
namespace json = boost::json;

namespace {

// Integral values print as integers (1024, not 1.024E3): Boost.JSON writes every
// double in exponent form.
json::value tidy(double v) {
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9e15) {
    return json::value(static_cast<std::int64_t>(v));
  }
  return json::value(v);
}

json::value tidy(const json::value& v) { return v.is_double() ? tidy(v.get_double()) : v; }

json::value allowed_value(const ParamSpec& p, const std::string& text) {
  if (p.type == ParamType::Integer || p.type == ParamType::Number) {
    return tidy(std::stod(text));
  }
  return json::value(text);
}

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& s : items) {
    out.emplace_back(s);
  }
  return out;
}

json::object describe_param(const ParamSpec& p) {
  json::object o;
  o["name"] = p.name;
  o["type"] = param_type_text(p.type);
  o["required"] = p.required;
  if (!p.required_without.empty()) {
    o["required_without"] = string_array(p.required_without);
  }
  if (p.required_if) {
    o["required_if"] = json::array{json::string(p.required_if->first), json::string(p.required_if->second)};
  }
  if (p.max_files > 1) {
    o["max_files"] = p.max_files;
  }
  if (p.max_items > 0) {
    o["max_items"] = p.max_items;
  }
  if (p.default_value) {
    o["default"] = tidy(*p.default_value);
  }
  const bool text = p.type == ParamType::String;
  if (p.min) {
    o[text ? "min_length" : "min"] = tidy(*p.min);
  }
  if (p.max) {
    o[text ? "max_length" : "max"] = tidy(*p.max);
  }
  if (p.step) {
    o["step"] = tidy(*p.step);
  }
  if (!p.allowed.empty()) {
    json::array allowed;
    for (const std::string& a : p.allowed) {
      allowed.push_back(allowed_value(p, a));
    }
    o["allowed"] = std::move(allowed);
  }
  if (p.nullable_random_seed) {
    o["random_seed"] = -1;  // the value that asks for a random seed
  }
  if (!p.description.empty()) {
    o["description"] = p.description;
  }
  return o;
}

}  // namespace

json::object Catalog::describe(const ModelSpec& model) const {
  json::object defaults;
  json::array parameters;
  for (const ParamSpec& p : model.params) {
    if (p.default_value) {
      defaults[p.name] = tidy(*p.default_value);
    }
    parameters.push_back(describe_param(p));
  }
  json::object info;
  info["limits"] = model.limits.is_object() ? model.limits : json::object();
  info["features"] = model.features.is_object() ? model.features : json::object();
  info["defaults"] = std::move(defaults);

  const Pricing& rate = model.pricing;
  json::object pricing;
  pricing["currency"] = rate.currency;
  pricing["base"] = tidy(rate.base);
  pricing["per_step"] = tidy(rate.per_step);
  pricing["per_megapixel"] = tidy(rate.per_megapixel);
  pricing["per_second"] = tidy(rate.per_second);
  pricing["per_1k_chars"] = tidy(rate.per_1k_chars);

  json::object out;
  out["name"] = model.display_name.empty() ? model.name : model.display_name;
  out["slug"] = model.name;
  out["aliases"] = string_array(model.aliases);
  out["description"] = model.description;
  out["inference_types"] = string_array(model.tasks);
  out["info"] = std::move(info);
  if (model.languages.is_array()) {
    out["languages"] = model.languages;
  }
  if (model.loras.is_array()) {
    out["loras"] = model.loras;
  }
  out["parameters"] = std::move(parameters);
  out["pricing"] = std::move(pricing);
  return out;
}

}  // namespace genq::catalog
