#pragma once
// A submit's deadline fields (both dialects; docs/api.md, "Deadlines"): `cancel_after`
// and `execution_timeout`, whole seconds from 1 to a day, each the model's catalog
// default when absent (catalog::ModelSpec::deadlines).
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "genq/catalog/catalog.hpp"
#include "genq/core/clock.hpp"

namespace genq::api {

inline constexpr std::string_view kCancelAfterField = "cancel_after";
inline constexpr std::string_view kExecutionTimeoutField = "execution_timeout";

struct JobDeadlines {
  Millis cancel_after{0};       // 0 = none
  Millis execution_timeout{0};  // 0 = none
};

// Reads both fields of `fields` (strings of digits too when `from_form`); each problem
// goes to `errors` under its field. `model` gives the defaults; null reads none.
JobDeadlines read_deadlines(const boost::json::object& fields, bool from_form, const catalog::ModelSpec* model,
                            catalog::FieldErrors& errors);

}  // namespace genq::api
