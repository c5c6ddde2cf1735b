#include "genq/core/utf8.hpp"

namespace genq {

std::optional<std::size_t> complete_utf8_prefix(std::string_view text) {
  const auto* begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = begin + text.size();
  const auto* p = begin;
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t length = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
    } else {
      return std::nullopt;  // a stray continuation byte, an overlong lead (C0, C1) or past U+10FFFF
    }
    // The second byte's range rules out overlong forms, surrogates and values past
    // U+10FFFF (Unicode's table 3-7), so a bad sequence is known before it is complete.
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c == 0xE0) low = 0xA0;
    if (c == 0xED) high = 0x9F;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;
    for (std::size_t i = 1; i < length; ++i) {
      if (p + i == end) return static_cast<std::size_t>(p - begin);  // cut short: more may come
      const unsigned char next = p[i];
      const bool fits = i == 1 ? (next >= low && next <= high) : (next & 0xC0) == 0x80;
      if (!fits) return std::nullopt;
    }
    p += length;
  }
  return text.size();
}

bool is_valid_utf8(std::string_view text) {
  const auto complete = complete_utf8_prefix(text);
  return complete && *complete == text.size();
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) {
    return text;
  }
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    end--;
  }
  return text.substr(0, end);
}

}  // namespace genq
