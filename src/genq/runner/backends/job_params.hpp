#pragma once
// Typed reads of a job's params object, forgiving about JSON number types (a width
// may arrive as 512, 512.0 or "512"). Pure functions; thread-safe.
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace genq::runner {

std::optional<std::int64_t> param_int(const boost::json::object& params, std::string_view key);
std::optional<double> param_number(const boost::json::object& params, std::string_view key);
std::optional<std::string> param_string(const boost::json::object& params, std::string_view key);

// The job's main text: the first string among prompt, text, input, lyrics, caption.
std::string primary_text(const boost::json::object& params);

// params.seed; when absent (or -1), a hash of all params so the output is still a
// function of the request.
std::uint64_t param_seed(const boost::json::object& params);

// params.steps (or params.inference_steps) clamped to [1, 1000], else `fallback`.
int param_steps(const boost::json::object& params, int fallback);

}  // namespace genq::runner
