#pragma once
// JSON text for people and clients. Boost.JSON writes every double in exponent form
// (0.005 as 5E-3, 3.5 as 3.5E0, 100.0 as 1E2): valid JSON, but not what an API's
// users expect to read in prices, defaults and progress. json_text writes the same
// document with such numbers in plain decimal (0.005, 3.5, 100).
#include <boost/json/value.hpp>

#include <string>

namespace genq {

std::string json_text(const boost::json::value& value);

// Rewrites exponent-form numbers of already serialised JSON in place; strings are
// left alone. Exposed for tests.
void plain_decimal_numbers(std::string& json);

}  // namespace genq
