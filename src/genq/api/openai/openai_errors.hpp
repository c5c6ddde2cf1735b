#pragma once
// OpenAI's error shape for the /v1 gateway: {"error":{"message","type","param","code"}}
// with OpenAI's status codes, so the official SDKs raise their own error classes
// (AuthenticationError, BadRequestError, RateLimitError …) with a useful message.
// The shared submit path answers in the client API's shape; openai_reply translates.
#include <optional>
#include <string>
#include <string_view>

#include "genq/http/request.hpp"

namespace genq::api::openai {

http::Response openai_error(unsigned status, const std::string& message, std::string_view type,
                            std::optional<std::string> param = std::nullopt,
                            std::optional<std::string> code = std::nullopt);
// A client-API answer in OpenAI's shape: 2xx unchanged; {"message","errors"} becomes
// {"error":{…}} naming the first field that failed, and 401/429 get OpenAI's codes.
http::Response to_openai(http::Response response);
http::Reply openai_reply(http::Reply reply);

}  // namespace genq::api::openai
