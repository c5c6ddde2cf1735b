#pragma once
// Request-target parsing (origin-form "/path?query"). Lenient where clients are:
// raw brackets in queries ("filter[inference_types]=txt2img", as deAPI's docs and
// curl -g send them) are accepted, which a strict RFC 3986 parser refuses. Pure.
#include <optional>
#include <string>
#include <string_view>

namespace genq::http {

// Splits and percent-decodes the path; false for targets that are not origin-form
// or decode to something unusable (a NUL byte, a bad escape). Doubled and trailing
// slashes are dropped first ("//api/v1/client/models/" is "/api/v1/client/models"), as
// clients build URLs from a base URL that may end in "/" (deAPI's SDK does).
bool split_target(std::string_view target, std::string& path, std::string& query);
// The path with runs of "/" collapsed to one and a trailing "/" removed ("/" stays).
std::string without_extra_slashes(std::string_view path);
// The first value of `name` in a query string, decoded ("+" is a space).
std::optional<std::string> find_query_param(std::string_view query, std::string_view name);
// Percent-decoding; nullopt on a malformed escape or NUL.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace genq::http
