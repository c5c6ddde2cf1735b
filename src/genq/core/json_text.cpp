#include "genq/core/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cstring>

namespace genq {
namespace {

bool is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

}  // namespace

void plain_decimal_numbers(std::string& json) {
  if (json.find('E') == std::string::npos) return;  // the common case: nothing to do
  std::string out;
  out.reserve(json.size());
  bool in_string = false;
  for (std::size_t i = 0; i < json.size();) {
    const char c = json[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < json.size()) {
        out.push_back(json[i + 1]);
        i += 2;
        continue;
      }
      in_string = c != '"';
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out.push_back(c);
      ++i;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i;
      while (end < json.size() && is_number_char(json[end])) ++end;
      const std::string_view token(json.data() + i, end - i);
      double number = 0;
      auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), number);
      if (token.find_first_of("eE") != std::string_view::npos && ec == std::errc() &&
          ptr == token.data() + token.size()) {
        out += fmt::format("{}", number);  // shortest round-trip form, plain for usual magnitudes
      } else {
        out.append(token);
      }
      i = end;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  json = std::move(out);
}

std::string json_text(const boost::json::value& value) {
  std::string text = boost::json::serialize(value);
  plain_decimal_numbers(text);
  return text;
}

}  // namespace genq
