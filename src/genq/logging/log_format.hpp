#pragma once
// How genq's log lines look (--log-format): `text`, one readable line each, or `json`,
// one JSON object per line for log shippers: {"time","level","msg"} and "request_id"
// when the line is about an HTTP request (log_context.hpp).
#include <string_view>

#include "genq/core/error.hpp"

namespace genq::logging {

// Applies `format` ("text" or "json") to every spdlog logger; Invalid otherwise.
Status use_log_format(std::string_view format);

}  // namespace genq::logging
