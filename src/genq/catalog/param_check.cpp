#include "genq/catalog/param_check.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <system_error>

#include "genq/core/text.hpp"

namespace genq::catalog::detail {
namespace json = boost::json;

namespace {

// int64 holds every integral double strictly inside (-2^63, 2^63).
constexpr double kInt64Bound = 9223372036854775808.0;

// Parses the whole of `text` as T; a leading '+' is accepted (form values such as
// "+5" are valid numbers to Laravel's filter_var).
template <class T>
std::optional<T> parse_whole(std::string_view text) {
  text = trim_blanks(text);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
      return std::nullopt;
    }
  }
  if (text.empty()) {
    return std::nullopt;
  }
  T out{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return out;
}

std::optional<json::value> integer_from_double(double d) {
  if (!std::isfinite(d) || d != std::trunc(d) || d <= -kInt64Bound || d >= kInt64Bound) {
    return std::nullopt;
  }
  return json::value(static_cast<std::int64_t>(d));
}

std::optional<json::value> coerce_integer(const json::value& v, bool from_form) {
  if (v.is_int64() || v.is_uint64()) {
    return v;
  }
  if (v.is_double()) {
    return integer_from_double(v.get_double());
  }
  if (from_form && v.is_string()) {
    std::string_view text = v.get_string();
    if (auto i = parse_whole<std::int64_t>(text)) {
      return json::value(*i);
    }
    if (auto u = parse_whole<std::uint64_t>(text)) {
      return json::value(*u);
    }
    if (auto d = parse_whole<double>(text)) {
      return integer_from_double(*d);
    }
  }
  return std::nullopt;
}

std::optional<json::value> coerce_number(const json::value& v, bool from_form) {
  if (v.is_number()) {
    return json::value(v.to_number<double>());
  }
  if (from_form && v.is_string()) {
    if (auto d = parse_whole<double>(v.get_string()); d && std::isfinite(*d)) {
      return json::value(*d);
    }
  }
  return std::nullopt;
}

// [{"name":"…","weight":0.8}, …] with every weight a number (parsed from text when
// the list came from form fields loras[0][name], loras[0][weight]).
std::optional<json::value> coerce_loras(const json::value& v, bool from_form) {
  if (!v.is_array()) {
    return std::nullopt;
  }
  json::array out;
  for (const json::value& item : v.get_array()) {
    const json::object* o = item.if_object();
    if (o == nullptr || o->size() != 2 || !o->contains("name") || !o->contains("weight")) {
      return std::nullopt;
    }
    const json::value& name = o->at("name");
    auto weight = coerce_number(o->at("weight"), from_form);
    if (!name.is_string() || name.get_string().empty() || !weight) {
      return std::nullopt;
    }
    out.push_back(json::object{{"name", name}, {"weight", *weight}});
  }
  return json::value(std::move(out));
}

std::optional<json::value> coerce_boolean(const json::value& v, bool from_form) {
  if (v.is_bool()) {
    return v;
  }
  // Laravel's boolean rule also takes 1 and 0.
  if ((v.is_int64() || v.is_uint64()) && (v.to_number<double>() == 0 || v.to_number<double>() == 1)) {
    return json::value(v.to_number<double>() == 1);
  }
  if (from_form && v.is_string()) {
    std::string_view text = trim_blanks(v.get_string());
    if (text == "true" || text == "1") {
      return json::value(true);
    }
    if (text == "false" || text == "0") {
      return json::value(false);
    }
  }
  return std::nullopt;
}

void check_bounds(const ParamSpec& spec, double x, std::string_view unit,
                  std::vector<std::string>& problems) {
  const bool low = spec.min && x < *spec.min;
  const bool high = spec.max && x > *spec.max;
  if (!low && !high) {
    return;
  }
  std::string m = "The " + attribute(spec.name) + " field must ";
  if (spec.min && spec.max) {
    m += "be between " + format_number(*spec.min) + " and " + format_number(*spec.max);
  } else if (spec.min) {
    m += "be at least " + format_number(*spec.min);
  } else {
    m += "not be greater than " + format_number(*spec.max);
  }
  m += unit;
  m += '.';
  problems.push_back(std::move(m));
}

bool is_multiple(double x, double step) {
  const double q = x / step;
  return std::fabs(q - std::round(q)) <= 1e-9 * std::max(1.0, std::fabs(q));
}

}  // namespace

std::string attribute(std::string_view field) {
  std::string out(field);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string format_number(double v) {
  char buf[64];
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e18) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
    return std::string(buf, r.ptr);
  }
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string type_message(const ParamSpec& spec) {
  const std::string head = "The " + attribute(spec.name) + " field must ";
  switch (spec.type) {
    case ParamType::Integer:
      return head + "be an integer.";
    case ParamType::Number:
      return head + "be a number.";
    case ParamType::Boolean:
      return head + "be true or false.";
    case ParamType::File:
      return head + "be a file.";
    case ParamType::Loras:
      return head + "be a list of objects with a name and a weight.";
    case ParamType::String:
      break;
  }
  return head + (spec.max_items > 0 ? "be a string or a list of strings." : "be a string.");
}

std::expected<json::value, std::string> coerce(const ParamSpec& spec, const json::value& value,
                                               bool from_form) {
  std::optional<json::value> out;
  switch (spec.type) {
    case ParamType::Integer:
      out = coerce_integer(value, from_form);
      break;
    case ParamType::Number:
      out = coerce_number(value, from_form);
      break;
    case ParamType::Boolean:
      out = coerce_boolean(value, from_form);
      break;
    case ParamType::String:
      if (value.is_string()) {
        if (!is_valid_utf8(value.get_string())) {
          return std::unexpected("The " + attribute(spec.name) + " field must be a valid UTF-8 string.");
        }
        out = value;
      } else if (spec.max_items > 0 && value.is_array()) {
        for (const json::value& item : value.get_array()) {
          if (!item.is_string()) return std::unexpected(type_message(spec));
          if (!is_valid_utf8(item.get_string())) {
            return std::unexpected("The " + attribute(spec.name) + " field must hold valid UTF-8 strings.");
          }
        }
        out = value;
      }
      break;
    case ParamType::Loras:
      out = coerce_loras(value, from_form);
      break;
    case ParamType::File:
      break;
  }
  if (!out) {
    return std::unexpected(type_message(spec));
  }
  return std::move(*out);
}

std::string canonical_text(const json::value& coerced) {
  switch (coerced.kind()) {
    case json::kind::string:
      return std::string(coerced.get_string());
    case json::kind::int64:
      return std::to_string(coerced.get_int64());
    case json::kind::uint64:
      return std::to_string(coerced.get_uint64());
    case json::kind::double_:
      return format_number(coerced.get_double());
    case json::kind::bool_:
      return coerced.get_bool() ? "true" : "false";
    default:
      return json::serialize(coerced);
  }
}

std::expected<json::value, std::vector<std::string>> check_value(const ParamSpec& spec,
                                                                 const json::value& value, bool from_form) {
  auto coerced = coerce(spec, value, from_form);
  if (!coerced) {
    return std::unexpected(std::vector<std::string>{std::move(coerced.error())});
  }
  if (!spec.allowed.empty()) {
    if (std::find(spec.allowed.begin(), spec.allowed.end(), canonical_text(*coerced)) == spec.allowed.end()) {
      return std::unexpected(
          std::vector<std::string>{"The selected " + attribute(spec.name) + " is invalid."});
    }
    return std::move(*coerced);
  }
  std::vector<std::string> problems;
  if (spec.type == ParamType::String && coerced->is_array()) {
    const json::array& items = coerced->get_array();
    if (items.empty() || items.size() > static_cast<std::size_t>(spec.max_items)) {
      problems.push_back("The " + attribute(spec.name) + " field must have between 1 and " +
                         std::to_string(spec.max_items) + " items.");
    }
    for (const json::value& item : items) {
      check_bounds(spec, static_cast<double>(utf8_length(item.get_string())), " characters", problems);
      if (!problems.empty()) break;
    }
  } else if (spec.type == ParamType::String) {
    check_bounds(spec, static_cast<double>(utf8_length(coerced->get_string())), " characters", problems);
  } else if (spec.type == ParamType::Loras) {
    ParamSpec weight = spec;
    weight.name = spec.name + " weight";
    for (const json::value& lora : coerced->get_array()) {
      check_bounds(weight, lora.at("weight").to_number<double>(), "", problems);
    }
  } else if (spec.type == ParamType::Integer || spec.type == ParamType::Number) {
    const double x = coerced->to_number<double>();
    check_bounds(spec, x, "", problems);
    if (spec.step && !is_multiple(x, *spec.step)) {
      problems.push_back("The " + attribute(spec.name) + " field must be a multiple of " +
                         format_number(*spec.step) + ".");
    }
  }
  if (!problems.empty()) {
    return std::unexpected(std::move(problems));
  }
  return std::move(*coerced);
}

}  // namespace genq::catalog::detail
