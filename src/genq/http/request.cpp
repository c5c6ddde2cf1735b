#include "genq/http/request.hpp"

#include <cctype>

#include "genq/http/target.hpp"

namespace genq::http {

std::string Request::header(std::string_view name) const {
  auto it = headers.find(name);
  if (it == headers.end()) return {};
  return std::string(it->value());
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  return find_query_param(query, name);
}

std::string Request::bearer_token() const {
  std::string value = header("Authorization");
  constexpr std::string_view kPrefix = "Bearer ";
  if (value.size() <= kPrefix.size()) return {};
  for (std::size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) !=
        std::tolower(static_cast<unsigned char>(kPrefix[i]))) {
      return {};
    }
  }
  std::string token = value.substr(kPrefix.size());
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.pop_back();
  return token;
}

const std::string& Request::param(std::string_view name) const {
  static const std::string kEmpty;
  auto it = path_params.find(name);
  return it == path_params.end() ? kEmpty : it->second;
}

}  // namespace genq::http
