#pragma once
// RFC 6455 framing for the server end of a WebSocket: encoding the headers of server
// frames (unmasked, so one encoding serves every subscriber of a broadcast) and
// decoding what a client sends, a byte at a time if need be. No extensions are
// negotiated, so the RSV bits must be clear. Pure; a FrameDecoder belongs to one
// connection and is not thread-safe.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace genq::ws {

enum class Opcode : std::uint8_t {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xA,
};

// WebSocket close status codes genq sends (RFC 6455 §7.4.1).
namespace close_status {
inline constexpr std::uint16_t kNormal = 1000;
inline constexpr std::uint16_t kProtocolError = 1002;
inline constexpr std::uint16_t kInvalidPayload = 1007;  // text that is not UTF-8
inline constexpr std::uint16_t kMessageTooBig = 1009;
}  // namespace close_status

// Control frames carry at most this much payload and are never fragmented (§5.5).
inline constexpr std::size_t kMaxControlPayload = 125;
// A frame header is 2 bytes, plus 2 or 8 of extended length, plus 4 of mask.
inline constexpr std::size_t kMaxHeaderBytes = 14;

// The header of one unfragmented, unmasked server frame carrying `payload_size` bytes.
std::string encode_frame_header(Opcode opcode, std::size_t payload_size);
// A close frame's payload: the status code, big-endian, then the reason cut to fit
// the 125-byte control frame limit (at a UTF-8 boundary). Code 0: no status at all.
std::string encode_close_payload(std::uint16_t code, std::string_view reason);
// Whether a peer may send `code` in a close frame (§7.4: 1000-1003, 1007-1011, 3000-4999).
bool valid_close_code(std::uint16_t code);

// What the decoder found. `payload` stays valid until the next call to next().
struct FrameEvent {
  enum class Kind {
    NeedMore,  // every input byte was consumed and nothing is complete yet
    Text,      // a whole message (fragments joined), valid UTF-8
    Binary,
    Ping,
    Pong,
    Close,         // close_code 0 when the frame carried no status
    ProtocolError  // the connection must be failed with close_code
  };
  Kind kind = Kind::NeedMore;
  std::string_view payload;  // message, control payload, close reason, or what was wrong
  std::uint16_t close_code = 0;
};

// Turns a client's bytes into messages and control frames. Text is checked as UTF-8 as
// its bytes arrive, so a message fails at its first invalid byte, not at its end
// (RFC 6455 §8.1 fail-fast). Keeps only what an unfinished frame or message needs: a 14-byte header area and the unmasked payload
// so far, released once the message is handed out, so an idle connection's decoder
// owns no heap memory.
class FrameDecoder {
 public:
  // `max_message_bytes` bounds a message's total size across its fragments.
  explicit FrameDecoder(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  // Consumes bytes from the front of `input` until one event is complete (returned,
  // with `input` advanced past it) or `input` is empty (NeedMore). After a
  // ProtocolError the decoder is spent: every later call returns it again.
  FrameEvent next(std::string_view& input);

 private:
  // `why` is kept, not copied: a string literal.
  FrameEvent fail(std::uint16_t code, const char* why);
  // Validates the header once it is complete; returns a ProtocolError or NeedMore.
  FrameEvent start_frame();
  FrameEvent finish_frame();

  std::size_t max_message_bytes_;
  std::array<std::uint8_t, kMaxHeaderBytes> header_{};
  std::uint8_t header_size_ = 0;     // bytes of header_ received
  bool in_payload_ = false;          // the header is complete; payload bytes follow
  bool fin_ = false;
  Opcode opcode_ = Opcode::Continuation;
  std::array<std::uint8_t, 4> mask_{};
  std::uint64_t payload_left_ = 0;
  std::uint64_t payload_done_ = 0;   // of this frame, for the mask offset
  bool in_message_ = false;          // a fragmented message awaits continuations
  Opcode message_opcode_ = Opcode::Text;
  std::string message_;              // the data message so far, unmasked
  std::size_t utf8_checked_ = 0;     // bytes of a text message_ known to be whole characters
  std::string control_;              // the control frame being read, unmasked
  std::string_view failure_;         // why a ProtocolError, once failed (a string literal)
  std::uint16_t failure_code_ = 0;
};

}  // namespace genq::ws
