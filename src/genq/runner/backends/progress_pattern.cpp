#include "genq/runner/backends/progress_pattern.hpp"

#include <algorithm>
#include <charconv>

namespace genq::runner {
namespace {

std::optional<double> number_of(const std::csub_match& group) {
  if (!group.matched) {
    return std::nullopt;
  }
  const std::string text = group.str();
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

Result<ProgressPattern> ProgressPattern::compile(const std::string& pattern) {
  ProgressPattern compiled;
  compiled.source_ = pattern;
  try {
    compiled.regex_ = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return fail(Error::invalid("progress pattern \"" + pattern + "\" is not a regular expression: " + e.what()));
  }
  compiled.groups_ = compiled.regex_.mark_count();
  if (compiled.groups_ == 0) {
    return fail(Error::invalid("progress pattern \"" + pattern + "\" needs a capture group, e.g. (\\d+)%"));
  }
  return compiled;
}

std::optional<double> ProgressPattern::percent(std::string_view line, std::optional<double> total) const {
  std::cmatch match;
  if (!std::regex_search(line.data(), line.data() + line.size(), match, regex_)) {
    return std::nullopt;
  }
  const auto done = number_of(match[1]);
  if (!done) {
    return std::nullopt;
  }
  double percent = *done;
  if (groups_ >= 2) {
    const auto of = number_of(match[2]);
    if (!of || *of <= 0) {
      return std::nullopt;
    }
    percent = *done / *of * 100;
  } else if (total) {
    if (*total <= 0) {
      return std::nullopt;
    }
    percent = *done / *total * 100;
  }
  return std::clamp(percent, 0.0, 100.0);
}

}  // namespace genq::runner
