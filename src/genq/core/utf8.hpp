#pragma once
// The one UTF-8 check of the server (RFC 3629): JSON strings, form fields and WebSocket
// text frames all go through it, so no input path accepts what another refuses.
#include <cstddef>
#include <optional>
#include <string_view>

namespace genq {

// False for a stray continuation byte, a truncated sequence, an overlong form, a UTF-16
// surrogate (U+D800..U+DFFF) or a value past U+10FFFF.
bool is_valid_utf8(std::string_view text);

// For text that arrives in pieces (a WebSocket message, frame by frame): nullopt as soon
// as `text` cannot be the start of valid UTF-8; otherwise how many of its bytes are
// complete characters, which is text.size() less a last character cut short that the
// bytes still to come may complete.
std::optional<std::size_t> complete_utf8_prefix(std::string_view text);

// The longest start of `text` of at most `max_bytes` that ends at a character
// boundary, so a shortened valid string stays valid.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace genq
