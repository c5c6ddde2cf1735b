#pragma once
// Small text helpers shared by the parsers (HTTP headers, multipart, catalog values).
#include <string_view>

namespace genq {

// `s` without the spaces and tabs around it (HTTP's optional whitespace, RFC 9110 §5.6.3).
inline std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace genq
