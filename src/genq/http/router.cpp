#include "genq/http/router.hpp"

namespace genq::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = path.empty() || path.front() != '/' ? 0 : 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool is_param(std::string_view s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }

}  // namespace

void Router::add(Route route) {
  if (route.name.empty()) route.name = route.pattern;
  Compiled c;
  for (auto part : split_path(route.pattern)) c.segments.emplace_back(part);
  compiled_.push_back(std::move(c));
  routes_.push_back(std::move(route));
}

bool Router::match_segments(const Compiled& c, const std::vector<std::string_view>& parts,
                            std::map<std::string, std::string, std::less<>>* params) {
  if (c.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& seg = c.segments[i];
    if (is_param(seg)) {
      if (parts[i].empty()) return false;
      if (params) (*params)[seg.substr(1, seg.size() - 2)] = std::string(parts[i]);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

Match Router::match(Verb method, std::string_view path) const {
  Match m;
  auto parts = split_path(path);
  // Literal segments beat parameters: routes are tried in the order added, so tables
  // list "/x/models" before "/x/{task}".
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (!match_segments(compiled_[i], parts, nullptr)) continue;
    if (routes_[i].method == method || (method == Verb::head && routes_[i].method == Verb::get)) {
      match_segments(compiled_[i], parts, &m.params);
      m.route = &routes_[i];
      m.allowed.clear();
      return m;
    }
    m.allowed.push_back(routes_[i].method);
  }
  return m;
}

}  // namespace genq::http
