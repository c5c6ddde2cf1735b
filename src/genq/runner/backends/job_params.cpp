#include "genq/runner/backends/job_params.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "genq/runner/backends/synthetic_random.hpp"

namespace genq::runner {

std::optional<double> param_number(const boost::json::object& params, std::string_view key) {
  const boost::json::value* v = params.if_contains(key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->is_int64()) {
    return static_cast<double>(v->get_int64());
  }
  if (v->is_uint64()) {
    return static_cast<double>(v->get_uint64());
  }
  if (v->is_double()) {
    return std::isfinite(v->get_double()) ? std::optional(v->get_double()) : std::nullopt;
  }
  if (v->is_string()) {
    std::string text(v->get_string());
    char* end = nullptr;
    const double parsed = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(parsed)) {
      return parsed;
    }
  }
  return std::nullopt;
}

std::optional<std::int64_t> param_int(const boost::json::object& params, std::string_view key) {
  const boost::json::value* v = params.if_contains(key);
  if (v != nullptr && v->is_int64()) {
    return v->get_int64();  // exact, even past 2^53 (seeds)
  }
  if (v != nullptr && v->is_uint64()) {
    return static_cast<std::int64_t>(v->get_uint64());
  }
  if (v != nullptr && v->is_string()) {
    const auto text = v->get_string();
    std::int64_t parsed = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec == std::errc() && end == text.data() + text.size()) {
      return parsed;
    }
  }
  auto number = param_number(params, key);
  if (!number || std::fabs(*number) > 9.0e18) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(std::llround(*number));
}

std::optional<std::string> param_string(const boost::json::object& params, std::string_view key) {
  const boost::json::value* v = params.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    return std::nullopt;
  }
  return std::string(v->get_string());
}

std::string primary_text(const boost::json::object& params) {
  static constexpr std::array<std::string_view, 5> kKeys = {"prompt", "text", "input", "lyrics",
                                                            "caption"};
  for (auto key : kKeys) {
    if (auto text = param_string(params, key)) {
      return *text;
    }
  }
  return {};
}

std::uint64_t param_seed(const boost::json::object& params) {
  if (auto seed = param_int(params, "seed"); seed && *seed != -1) {
    return static_cast<std::uint64_t>(*seed);
  }
  // Object iteration follows insertion order, which the server keeps stable for a job.
  return fnv1a(boost::json::serialize(params));
}

int param_steps(const boost::json::object& params, int fallback) {
  // Some models name it inference_steps (AceStep in config/models.json).
  for (std::string_view key : {"steps", "inference_steps"}) {
    if (auto steps = param_int(params, key)) {
      return static_cast<int>(std::clamp<std::int64_t>(*steps, 1, 1000));
    }
  }
  return fallback;
}

}  // namespace genq::runner
