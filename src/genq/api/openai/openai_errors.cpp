#include "genq/api/openai/openai_errors.hpp"

#include <boost/json.hpp>

#include "genq/http/responses.hpp"

namespace genq::api::openai {
namespace json = boost::json;

http::Response openai_error(unsigned status, const std::string& message, std::string_view type,
                            std::optional<std::string> param, std::optional<std::string> code) {
  json::object error{{"message", message},
                     {"type", type},
                     {"param", param ? json::value(*param) : json::value(nullptr)},
                     {"code", code ? json::value(*code) : json::value(nullptr)}};
  return http::json_response(status, json::object{{"error", std::move(error)}});
}

http::Response to_openai(http::Response response) {
  if (response.status < 400 || response.content_type != "application/json") return response;
  boost::system::error_code ec;
  json::value doc = json::parse(response.body, ec);
  if (ec || !doc.is_object() || doc.as_object().contains("error")) return response;
  const json::object& body = doc.as_object();
  std::string message = body.contains("message") && body.at("message").is_string()
                            ? std::string(body.at("message").as_string())
                            : "Request failed.";
  std::optional<std::string> param;
  if (const auto* errors = body.if_contains("errors"); errors && errors->is_object() && !errors->as_object().empty()) {
    const auto& [field, problems] = *errors->as_object().begin();
    param = std::string(field);
    if (problems.is_array() && !problems.as_array().empty() && problems.as_array()[0].is_string()) {
      message = std::string(problems.as_array()[0].as_string());
    }
  }
  std::string_view type = "invalid_request_error";
  std::optional<std::string> code;
  if (response.status == 401) {
    message = "Incorrect API key provided. Create one with genq admin create-client.";
    code = "invalid_api_key";
  } else if (response.status == 403) {
    type = "permission_error";
  } else if (response.status == 429) {
    type = "rate_limit_error";
    code = "rate_limit_exceeded";
  } else if (response.status >= 500) {
    type = "server_error";
  }
  // OpenAI answers a bad parameter with 400 where the client API says 422.
  const unsigned status = response.status == 422 ? 400 : response.status;
  http::Response translated = openai_error(status, message, type, std::move(param), std::move(code));
  translated.headers = std::move(response.headers);  // Retry-After and friends
  return translated;
}

http::Reply openai_reply(http::Reply reply) {
  return [reply = std::move(reply)](http::Response response) { reply(to_openai(std::move(response))); };
}

}  // namespace genq::api::openai
