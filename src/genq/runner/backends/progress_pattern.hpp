#pragma once
// Reads a tool's progress from its output lines with a configured regular expression
// (ECMAScript syntax, searched anywhere in the line):
//   one capture group             the group is a percentage: "(\d+)%"
//   one group and a total         the group counts up to the total: "^frame=(\d+)" with
//                                 total {frames}
//   two or more groups            group 1 of group 2: "step (\d+)/(\d+)"
// Compiled once when the catalog loads; thread-safe for matching.
#include <optional>
#include <regex>
#include <string>
#include <string_view>

#include "genq/core/error.hpp"

namespace genq::runner {

class ProgressPattern {
 public:
  // Invalid when `pattern` is not a regular expression or has no capture group.
  static Result<ProgressPattern> compile(const std::string& pattern);

  // Percent in [0, 100] from one line; nullopt when the line does not match, a group
  // is not a number, or a total or denominator is not positive.
  std::optional<double> percent(std::string_view line, std::optional<double> total = std::nullopt) const;

  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::regex regex_;
  std::size_t groups_ = 0;
};

}  // namespace genq::runner
