#pragma once
// The one place that builds JSON replies and the documented error shapes:
//   {"message": "..."}                              every 4xx/5xx
//   {"message": "<first>", "errors": {"f": [...]}}  422 validation
#include <boost/json/value.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "genq/http/request.hpp"

namespace genq::http {

Response json_response(unsigned status, const boost::json::value& body);
Response error_response(unsigned status, std::string message);
using FieldProblems = std::vector<std::pair<std::string, std::vector<std::string>>>;
Response validation_error(const FieldProblems& fields);
Response unauthenticated();  // 401 {"message":"Unauthenticated."}
// 429 "Too many requests. Retry after N seconds." with Retry-After and, when given,
// X-RateLimit-Type (which limit refused: "minute", "daily").
Response too_many_requests(std::chrono::seconds retry_after, std::string_view limit_type = {});

}  // namespace genq::http

#include "genq/core/error.hpp"

namespace genq::http {
// Maps a service error to its status: NotFound 404, Invalid 422, Conflict 409,
// Forbidden 403, Unavailable 503, Internal 500 (message hidden, logged).
Response response_for(const Error& error);
}  // namespace genq::http
