#pragma once
// The one UTF-8 check of the server (RFC 3629): JSON strings, form fields and WebSocket
// text frames all go through it, so no input path accepts what another refuses.
#include <cstddef>
#include <string_view>

namespace genq {

// False for a stray continuation byte, a truncated sequence, an overlong form, a UTF-16
// surrogate (U+D800..U+DFFF) or a value past U+10FFFF.
bool is_valid_utf8(std::string_view text);

}  // namespace genq
