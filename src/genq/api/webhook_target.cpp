#include "genq/api/webhook_target.hpp"

#include <boost/url/parse.hpp>

namespace genq::api {

std::optional<std::string> webhook_url_problem(const std::string& url, const std::string& field,
                                               const ApiOptions& options) {
  std::string label = field;
  for (auto& c : label) {
    if (c == '_') c = ' ';
  }
  if (url.size() > 2048) return "The " + label + " must not be longer than 2048 characters.";
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || parsed->host().empty()) return "The " + label + " must be a valid URL.";
  std::string scheme(parsed->scheme());
  if (scheme == "http" && !options.webhook_allow_http) {
    return "The " + label + " must use https (this server does not allow plain http targets).";
  }
  if (scheme != "https" && scheme != "http") return "The " + label + " must be an http(s) URL.";
  if (options.webhook_target_check) {
    if (auto refusal = options.webhook_target_check(url)) {
      return "The " + label + " " + *refusal +
             " (this server does not send webhooks to loopback, private or link-local addresses).";
    }
  }
  return std::nullopt;
}

}  // namespace genq::api
