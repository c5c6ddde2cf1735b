#pragma once
// Checking one parameter value against its ParamSpec, and the Laravel-style wording
// of the problems. Shared by request validation (validate.cpp) and by the loader,
// which checks every configured default and enum value the same way. Pure functions.
#include <boost/json/value.hpp>
#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "genq/catalog/catalog.hpp"

#include "genq/core/utf8.hpp"  // is_valid_utf8, used with utf8_length

namespace genq::catalog::detail {

// Laravel's displayable attribute: underscores become spaces ("include_ts" ->
// "include ts"), as deAPI's messages print it.
std::string attribute(std::string_view field);

// A bound as Laravel prints it: 256, 3.5, 4294967295, -1.
std::string format_number(double v);

// Characters (code points), as Laravel's mb_strlen counts them. Requires: valid UTF-8.
std::size_t utf8_length(std::string_view s);

// "The width field must be an integer." and its siblings, by type.
std::string type_message(const ParamSpec& spec);

// Converts `value` to the spec's type without looking at bounds: integers become
// int64, numbers double, booleans bool, strings stay (and must be valid UTF-8).
// `from_form`: strings are parsed as the type ("1024", "3.5", "true"/"false"/"1"/"0").
// On failure, type_message(spec). Requires: spec.type != File.
std::expected<boost::json::value, std::string> coerce(const ParamSpec& spec, const boost::json::value& value,
                                                      bool from_form);

// The text an `allowed` list holds for a coerced value ("2", "af_sky", "true").
std::string canonical_text(const boost::json::value& coerced);

// coerce(), then the enum, bounds and step checks. Every problem found, the type
// problem alone when the type is wrong. Requires: spec.type != File.
std::expected<boost::json::value, std::vector<std::string>> check_value(const ParamSpec& spec,
                                                                        const boost::json::value& value,
                                                                        bool from_form);

}  // namespace genq::catalog::detail
