#include "genq/metrics/exposition.hpp"

#include <fmt/format.h>

#include <cmath>

namespace genq {

std::string label(std::string_view key, std::string_view value) {
  std::string out(key);
  out += "=\"";
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string prometheus_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{}", static_cast<std::int64_t>(value));
  return fmt::format("{}", value);
}

void Exposition::family(std::string_view name, std::string_view help, std::string_view type) {
  // HELP text escapes backslashes and line breaks only.
  std::string escaped;
  for (char c : help) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, escaped, name, type);
}

void Exposition::sample(std::string_view name, std::string_view labels, double value) {
  if (labels.empty()) {
    fmt::format_to(std::back_inserter(out_), "{} {}\n", name, prometheus_number(value));
  } else {
    fmt::format_to(std::back_inserter(out_), "{}{{{}}} {}\n", name, labels, prometheus_number(value));
  }
}

void Exposition::histogram(std::string_view name, std::string_view labels, const Histogram::Snapshot& snapshot) {
  const std::string separator = labels.empty() ? "" : ",";
  for (std::size_t i = 0; i < snapshot.cumulative.size(); ++i) {
    const std::string le = i < snapshot.upper_bounds.size() ? prometheus_number(snapshot.upper_bounds[i]) : "+Inf";
    fmt::format_to(std::back_inserter(out_), "{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, separator, le,
                   snapshot.cumulative[i]);
  }
  const std::string braced = labels.empty() ? "" : fmt::format("{{{}}}", labels);
  fmt::format_to(std::back_inserter(out_), "{}_sum{} {}\n", name, braced, prometheus_number(snapshot.sum));
  fmt::format_to(std::back_inserter(out_), "{}_count{} {}\n", name, braced, snapshot.count());
}

}  // namespace genq
