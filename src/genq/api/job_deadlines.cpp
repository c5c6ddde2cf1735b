#include "genq/api/job_deadlines.hpp"

#include <charconv>
#include <cmath>

namespace genq::api {
namespace {

constexpr std::int64_t kMaxSeconds = 86'400;

// The field's whole seconds, nullopt when absent or null; a problem goes to `errors`.
std::optional<std::int64_t> read_seconds(const boost::json::object& fields, std::string_view name, bool from_form,
                                         catalog::FieldErrors& errors) {
  const boost::json::value* value = fields.if_contains(name);
  if (value == nullptr || value->is_null()) return std::nullopt;
  std::optional<std::int64_t> seconds;
  if (value->is_int64()) {
    seconds = value->as_int64();  // is_uint64 (past INT64_MAX) falls through: refused
  } else if (value->is_double()) {
    // 30.0 is 30; 2.5, 1e300 and NaN are refused below (range first: converting 1e300
    // to an integer is undefined).
    const double d = value->as_double();
    seconds = d >= 1 && d <= static_cast<double>(kMaxSeconds) && d == std::floor(d) ? static_cast<std::int64_t>(d) : 0;
  } else if (from_form && value->is_string()) {
    const boost::json::string& text = value->as_string();
    std::int64_t parsed = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) seconds = parsed;
  }
  if (!seconds || *seconds < 1 || *seconds > kMaxSeconds) {
    errors.add(std::string(name), "The " + std::string(name) + " field must be a whole number of seconds from 1 to " +
                                      std::to_string(kMaxSeconds) + ".");
    return std::nullopt;
  }
  return seconds;
}

}  // namespace

JobDeadlines read_deadlines(const boost::json::object& fields, bool from_form, const catalog::ModelSpec* model,
                            catalog::FieldErrors& errors) {
  JobDeadlines out;
  if (model != nullptr) {
    out.cancel_after = std::chrono::seconds(model->deadlines.cancel_after_s);
    out.execution_timeout = std::chrono::seconds(model->deadlines.execution_timeout_s);
  }
  if (auto s = read_seconds(fields, kCancelAfterField, from_form, errors)) out.cancel_after = std::chrono::seconds(*s);
  if (auto s = read_seconds(fields, kExecutionTimeoutField, from_form, errors)) {
    out.execution_timeout = std::chrono::seconds(*s);
  }
  return out;
}

}  // namespace genq::api
