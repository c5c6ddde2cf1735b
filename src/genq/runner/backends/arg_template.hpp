#pragma once
// One string of an exec model's command line (or of an http model's body) with
// {placeholders}: "scale=iw*{scale}:ih*{scale}" or "{input.image}". Parsed once when
// the catalog loads; expanded per job into exactly one argument, so a value with
// spaces or quotes stays one argv element and no shell ever sees it.
//
// Syntax: {name} where name is letters, digits, '_', '.', '-'; {a|b} takes the first
// of a and b that has a value (an audio file or else a video file); {{ and }} are
// literal braces. A value, immutable after parse; thread-safe.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/error.hpp"

namespace genq::runner {

class ArgTemplate {
 public:
  // Invalid for an unclosed '{', a stray '}', or an empty or malformed name.
  static Result<ArgTemplate> parse(std::string_view text);

  // A placeholder's value, or nullopt when it has none for this job.
  using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

  // Invalid naming the first placeholder none of whose alternatives has a value.
  Result<std::string> expand(const Lookup& lookup) const;

  // Every alternative of every placeholder, for load-time checks.
  std::vector<std::string> names() const;
  // The alternatives of each placeholder, in order.
  std::vector<std::vector<std::string>> placeholders() const;
  // The alternatives when the whole string is one placeholder ("{seed}"); else empty.
  std::vector<std::string> sole_placeholder() const;
  // The text as written in the catalog, for messages.
  const std::string& source() const { return source_; }

 private:
  struct Piece {
    std::string literal;                    // used when alternatives is empty
    std::vector<std::string> alternatives;  // a placeholder
  };
  std::string source_;
  std::vector<Piece> pieces_;
};

}  // namespace genq::runner
