#include "genq/http/responses.hpp"

#include "genq/core/json_text.hpp"

namespace genq::http {

Response json_response(unsigned status, const boost::json::value& body) {
  Response r;
  r.status = status;
  r.body = json_text(body);
  return r;
}

Response error_response(unsigned status, std::string message) {
  return json_response(status, boost::json::object{{"message", std::move(message)}});
}

Response validation_error(const FieldProblems& fields) {
  boost::json::object errors;
  for (const auto& [field, problems] : fields) {
    boost::json::array list;
    for (const auto& p : problems) list.emplace_back(p);
    errors[field] = std::move(list);
  }
  std::string first = fields.empty() || fields.front().second.empty()
                          ? "The given data was invalid."
                          : fields.front().second.front();
  return json_response(422, boost::json::object{{"message", first}, {"errors", std::move(errors)}});
}

Response unauthenticated() { return error_response(401, "Unauthenticated."); }

Response too_many_requests(std::chrono::seconds retry_after, std::string_view limit_type) {
  const std::string seconds = std::to_string(retry_after.count());
  Response r = error_response(429, "Too many requests. Retry after " + seconds + " seconds.");
  r.headers.emplace_back("Retry-After", seconds);
  if (!limit_type.empty()) r.headers.emplace_back("X-RateLimit-Type", std::string(limit_type));
  return r;
}

}  // namespace genq::http

#include <spdlog/spdlog.h>

namespace genq::http {

Response response_for(const Error& error) {
  switch (error.kind) {
    case ErrorKind::NotFound: return error_response(404, error.message);
    case ErrorKind::Invalid: return error_response(422, error.message);
    case ErrorKind::Conflict: return error_response(409, error.message);
    case ErrorKind::Forbidden: return error_response(403, error.message);
    case ErrorKind::Exhausted: {
      // A cap, not a rate: no Retry-After, the client retries once its jobs move on.
      Response r = error_response(429, error.message);
      r.headers.emplace_back("X-RateLimit-Type", "queued");
      return r;
    }
    case ErrorKind::Unavailable:
      spdlog::warn("unavailable: {}", error.message);
      return error_response(503, "Service temporarily unavailable.");
    case ErrorKind::Internal: break;
  }
  spdlog::error("internal error: {}", error.message);
  return error_response(500, "Internal server error.");
}

}  // namespace genq::http
