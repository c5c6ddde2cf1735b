#include "genq/http/target.hpp"

namespace genq::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string without_extra_slashes(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

bool split_target(std::string_view target, std::string& path, std::string& query) {
  if (target.empty() || target.front() != '/') return false;
  auto q = target.find('?');
  auto fragment = target.find('#');
  std::string_view raw_path = target.substr(0, std::min(q, fragment));
  for (char c : raw_path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  auto decoded = percent_decode(without_extra_slashes(raw_path), false);
  if (!decoded) return false;
  path = std::move(*decoded);
  query.clear();
  if (q != std::string_view::npos) {
    std::size_t end = fragment == std::string_view::npos || fragment < q ? target.size() : fragment;
    query = std::string(target.substr(q + 1, end - q - 1));
  }
  return true;
}

std::optional<std::string> find_query_param(std::string_view query, std::string_view name) {
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(start, amp - start);
    std::size_t eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    if (key && *key == name) {
      if (eq == std::string_view::npos) return std::string();
      auto value = percent_decode(pair.substr(eq + 1), true);
      if (value) return value;
    }
    start = amp + 1;
  }
  return std::nullopt;
}

}  // namespace genq::http
