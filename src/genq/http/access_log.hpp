#pragma once
// `genq serve --access-log`: one info line per answered request, e.g.
//   GET /api/v1/client/request-status/… 200 0.4 ms from 10.0.0.7
// with the request id beside it (logging/log_format.hpp). The path only: query strings
// carry signatures (signed download URLs) that do not belong in logs.
#include <chrono>

#include "genq/http/request.hpp"

namespace genq::http {

void log_access(const Request& request, unsigned status, std::chrono::microseconds latency);

}  // namespace genq::http
