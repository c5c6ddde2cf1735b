#include "genq/ws/websocket_frame.hpp"

#include <algorithm>

#include "genq/core/utf8.hpp"

namespace genq::ws {

namespace {

constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kReservedBits = 0x70;
constexpr std::uint8_t kOpcodeBits = 0x0F;
constexpr std::uint8_t kMaskBit = 0x80;
constexpr std::uint8_t kLengthBits = 0x7F;
constexpr std::uint8_t kLength16 = 126;  // a 16-bit length follows
constexpr std::uint8_t kLength64 = 127;  // a 64-bit length follows

bool is_control(Opcode opcode) { return static_cast<std::uint8_t>(opcode) >= 0x8; }

bool known_opcode(std::uint8_t op) {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

bool continuation_byte(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

std::string encode_frame_header(Opcode opcode, std::size_t payload_size) {
  std::string header;
  header.push_back(static_cast<char>(kFin | static_cast<std::uint8_t>(opcode)));
  if (payload_size < kLength16) {
    header.push_back(static_cast<char>(payload_size));
  } else if (payload_size <= 0xFFFF) {
    header.push_back(static_cast<char>(kLength16));
    header.push_back(static_cast<char>(payload_size >> 8));
    header.push_back(static_cast<char>(payload_size & 0xFF));
  } else {
    header.push_back(static_cast<char>(kLength64));
    const auto size = static_cast<std::uint64_t>(payload_size);
    for (int shift = 56; shift >= 0; shift -= 8) header.push_back(static_cast<char>((size >> shift) & 0xFF));
  }
  return header;
}

std::string encode_close_payload(std::uint16_t code, std::string_view reason) {
  if (code == 0) return {};
  std::size_t keep = std::min(reason.size(), kMaxControlPayload - 2);
  // Never cut a character in half: the peer must be able to read the reason as UTF-8.
  if (keep < reason.size()) {
    while (keep > 0 && continuation_byte(static_cast<unsigned char>(reason[keep]))) --keep;
  }
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason.substr(0, keep));
  return payload;
}

bool valid_close_code(std::uint16_t code) {
  // 1004-1006 and 1015 are reserved for reporting, never to be sent; 1012-1014 are
  // registered since RFC 6455 (restart, try again later, bad gateway).
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

FrameEvent FrameDecoder::fail(std::uint16_t code, const char* why) {
  failure_code_ = code;
  failure_ = why;
  std::string().swap(message_);
  std::string().swap(control_);
  return FrameEvent{FrameEvent::Kind::ProtocolError, failure_, failure_code_};
}

FrameEvent FrameDecoder::next(std::string_view& input) {
  if (failure_code_ != 0) return FrameEvent{FrameEvent::Kind::ProtocolError, failure_, failure_code_};
  // What the last event pointed at is no longer needed; an idle connection keeps none of it.
  if (!in_message_ && !message_.empty()) std::string().swap(message_);
  if (!in_payload_ && !control_.empty()) std::string().swap(control_);

  while (!input.empty()) {
    if (!in_payload_) {
      // The header's size is known from its second byte: 2, plus 2 or 8 length bytes, plus the mask.
      auto needed = [this]() -> std::size_t {
        if (header_size_ < 2) return 2;
        const std::uint8_t length7 = header_[1] & kLengthBits;
        return 2 + (length7 == kLength16 ? 2 : length7 == kLength64 ? 8 : 0) + ((header_[1] & kMaskBit) ? 4 : 0);
      };
      while (header_size_ < needed() && !input.empty()) {
        header_[header_size_++] = static_cast<std::uint8_t>(input.front());
        input.remove_prefix(1);
      }
      if (header_size_ < needed()) return FrameEvent{};
      if (auto started = start_frame(); started.kind != FrameEvent::Kind::NeedMore) return started;
      if (payload_left_ == 0) {
        if (auto finished = finish_frame(); finished.kind != FrameEvent::Kind::NeedMore) return finished;
      }
      continue;
    }
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(payload_left_, input.size()));
    std::string& target = is_control(opcode_) ? control_ : message_;
    const std::size_t at = target.size();
    target.append(input.substr(0, take));
    for (std::size_t i = 0; i < take; ++i) target[at + i] ^= static_cast<char>(mask_[(payload_done_ + i) % 4]);
    input.remove_prefix(take);
    if (!is_control(opcode_) && message_opcode_ == Opcode::Text) {
      const auto complete = complete_utf8_prefix(std::string_view(message_).substr(utf8_checked_));
      if (!complete) return fail(close_status::kInvalidPayload, "text message is not UTF-8");
      utf8_checked_ += *complete;
    }
    payload_done_ += take;
    payload_left_ -= take;
    if (payload_left_ == 0) {
      if (auto finished = finish_frame(); finished.kind != FrameEvent::Kind::NeedMore) return finished;
    }
  }
  return FrameEvent{};
}

FrameEvent FrameDecoder::start_frame() {
  const std::uint8_t first = header_[0];
  const std::uint8_t second = header_[1];
  const std::uint8_t length7 = second & kLengthBits;
  header_size_ = 0;
  if (first & kReservedBits) return fail(close_status::kProtocolError, "reserved bits set without an extension");
  if (!known_opcode(first & kOpcodeBits)) return fail(close_status::kProtocolError, "unknown opcode");
  if (!(second & kMaskBit)) return fail(close_status::kProtocolError, "client frames must be masked");
  fin_ = (first & kFin) != 0;
  opcode_ = static_cast<Opcode>(first & kOpcodeBits);

  std::uint64_t length = length7;
  std::size_t at = 2;
  if (length7 == kLength16) {
    length = (std::uint64_t{header_[2]} << 8) | header_[3];
    at = 4;
    if (length < kLength16) return fail(close_status::kProtocolError, "length not minimally encoded");
  } else if (length7 == kLength64) {
    length = 0;
    for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | header_[i];
    at = 10;
    if (length >> 63) return fail(close_status::kProtocolError, "64-bit length with the high bit set");
    if (length <= 0xFFFF) return fail(close_status::kProtocolError, "length not minimally encoded");
  }
  std::copy_n(header_.begin() + static_cast<std::ptrdiff_t>(at), 4, mask_.begin());

  if (is_control(opcode_)) {
    if (!fin_) return fail(close_status::kProtocolError, "fragmented control frame");
    if (length > kMaxControlPayload) return fail(close_status::kProtocolError, "control frame over 125 bytes");
  } else {
    if (opcode_ == Opcode::Continuation) {
      if (!in_message_) return fail(close_status::kProtocolError, "continuation frame without a message");
    } else {
      if (in_message_) return fail(close_status::kProtocolError, "new message inside a fragmented one");
      message_opcode_ = opcode_;
      in_message_ = true;
      utf8_checked_ = 0;
    }
    if (length > max_message_bytes_ - std::min(message_.size(), max_message_bytes_)) {
      return fail(close_status::kMessageTooBig, "message too big");
    }
  }
  payload_left_ = length;
  payload_done_ = 0;
  in_payload_ = true;
  return FrameEvent{};
}

FrameEvent FrameDecoder::finish_frame() {
  in_payload_ = false;
  switch (opcode_) {
    case Opcode::Ping:
      return FrameEvent{FrameEvent::Kind::Ping, control_};
    case Opcode::Pong:
      return FrameEvent{FrameEvent::Kind::Pong, control_};
    case Opcode::Close: {
      if (control_.empty()) return FrameEvent{FrameEvent::Kind::Close, {}, 0};
      if (control_.size() == 1) return fail(close_status::kProtocolError, "close frame with a one-byte payload");
      const auto code = static_cast<std::uint16_t>((static_cast<unsigned char>(control_[0]) << 8) |
                                                   static_cast<unsigned char>(control_[1]));
      if (!valid_close_code(code)) return fail(close_status::kProtocolError, "invalid close code");
      std::string_view reason = std::string_view(control_).substr(2);
      if (!is_valid_utf8(reason)) return fail(close_status::kInvalidPayload, "close reason is not UTF-8");
      return FrameEvent{FrameEvent::Kind::Close, reason, code};
    }
    default:
      break;
  }
  if (!fin_) return FrameEvent{};  // more fragments follow
  in_message_ = false;
  if (message_opcode_ == Opcode::Text) {
    // Every byte was checked on arrival; only a last character cut short remains.
    if (utf8_checked_ != message_.size()) return fail(close_status::kInvalidPayload, "text message is not UTF-8");
    return FrameEvent{FrameEvent::Kind::Text, message_};
  }
  return FrameEvent{FrameEvent::Kind::Binary, message_};
}

}  // namespace genq::ws
