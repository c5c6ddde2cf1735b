#include "genq/runner/backends/arg_template.hpp"

#include <cctype>

namespace genq::runner {
namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

Result<std::vector<std::string>> parse_alternatives(std::string_view inside, std::string_view source) {
  std::vector<std::string> names;
  while (true) {
    const auto bar = inside.find('|');
    const std::string_view name = inside.substr(0, bar);
    if (name.empty()) {
      return fail(Error::invalid("empty placeholder name in \"" + std::string(source) + "\""));
    }
    for (char c : name) {
      if (!is_name_char(c)) {
        return fail(Error::invalid("bad character '" + std::string(1, c) + "' in placeholder {" +
                                   std::string(inside) + "} of \"" + std::string(source) + "\""));
      }
    }
    names.emplace_back(name);
    if (bar == std::string_view::npos) {
      return names;
    }
    inside.remove_prefix(bar + 1);
  }
}

}  // namespace

Result<ArgTemplate> ArgTemplate::parse(std::string_view text) {
  ArgTemplate parsed;
  parsed.source_ = std::string(text);
  std::string literal;
  const auto flush = [&] {
    if (!literal.empty()) {
      parsed.pieces_.push_back({std::move(literal), {}});
      literal.clear();
    }
  };
  for (std::size_t i = 0; i < text.size(); i++) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal.push_back(c);
      i++;
      continue;
    }
    if (c == '}') {
      return fail(Error::invalid("stray '}' in \"" + std::string(text) + "\" (write }} for a brace)"));
    }
    if (c != '{') {
      literal.push_back(c);
      continue;
    }
    const auto close = text.find('}', i + 1);
    if (close == std::string_view::npos) {
      return fail(Error::invalid("unclosed '{' in \"" + std::string(text) + "\" (write {{ for a brace)"));
    }
    auto names = parse_alternatives(text.substr(i + 1, close - i - 1), text);
    if (!names) {
      return fail(names.error());
    }
    flush();
    parsed.pieces_.push_back({{}, std::move(*names)});
    i = close;
  }
  flush();
  return parsed;
}

Result<std::string> ArgTemplate::expand(const Lookup& lookup) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    if (piece.alternatives.empty()) {
      out += piece.literal;
      continue;
    }
    std::optional<std::string> value;
    for (const std::string& name : piece.alternatives) {
      if ((value = lookup(name))) {
        break;
      }
    }
    if (!value) {
      std::string which;
      for (const std::string& name : piece.alternatives) {
        which += (which.empty() ? "" : " or ") + name;
      }
      return fail(Error::invalid("no value for " + which + " (needed by \"" + source_ + "\")"));
    }
    out += *value;
  }
  return out;
}

std::vector<std::string> ArgTemplate::names() const {
  std::vector<std::string> all;
  for (const Piece& piece : pieces_) {
    all.insert(all.end(), piece.alternatives.begin(), piece.alternatives.end());
  }
  return all;
}

std::vector<std::vector<std::string>> ArgTemplate::placeholders() const {
  std::vector<std::vector<std::string>> all;
  for (const Piece& piece : pieces_) {
    if (!piece.alternatives.empty()) {
      all.push_back(piece.alternatives);
    }
  }
  return all;
}

std::vector<std::string> ArgTemplate::sole_placeholder() const {
  if (pieces_.size() == 1 && !pieces_.front().alternatives.empty()) {
    return pieces_.front().alternatives;
  }
  return {};
}

}  // namespace genq::runner
