#include "genq/core/utf8.hpp"
#include "genq/ws/websocket_frame.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace genq::ws {
namespace {

constexpr std::array<std::uint8_t, 4> kMask = {0x37, 0xfa, 0x21, 0x3d};

// A client frame as a browser sends it: masked, with the shortest length encoding
// unless `length_bytes` forces one (0, 2 or 8 extra bytes).
std::string client_frame(std::uint8_t opcode, std::string_view payload, bool fin = true, int length_bytes = -1,
                         bool masked = true) {
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0) | opcode));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  const std::size_t n = payload.size();
  if (length_bytes < 0) length_bytes = n < 126 ? 0 : n <= 0xFFFF ? 2 : 8;
  if (length_bytes == 0) {
    out.push_back(static_cast<char>(mask_bit | n));
  } else if (length_bytes == 2) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((std::uint64_t{n} >> shift) & 0xFF));
  }
  if (masked) out.append(reinterpret_cast<const char*>(kMask.data()), kMask.size());
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(static_cast<char>(payload[i] ^ (masked ? static_cast<char>(kMask[i % 4]) : 0)));
  }
  return out;
}

struct Seen {
  FrameEvent::Kind kind;
  std::string payload;
  std::uint16_t code;
  bool operator==(const Seen&) const = default;
};

// Feeds `wire` in pieces of `chunk` bytes and records every event.
std::vector<Seen> decode(std::string_view wire, std::size_t chunk, std::size_t max_message = 1 << 20) {
  FrameDecoder decoder(max_message);
  std::vector<Seen> seen;
  for (std::size_t at = 0; at < wire.size(); at += chunk) {
    std::string_view input = wire.substr(at, chunk);
    for (;;) {
      FrameEvent event = decoder.next(input);
      if (event.kind == FrameEvent::Kind::NeedMore) break;
      seen.push_back({event.kind, std::string(event.payload), event.close_code});
      if (event.kind == FrameEvent::Kind::ProtocolError) return seen;
    }
    EXPECT_TRUE(input.empty());
  }
  return seen;
}

std::vector<Seen> decode(std::string_view wire) { return decode(wire, wire.size() + 1); }

Seen text(std::string payload) { return {FrameEvent::Kind::Text, std::move(payload), 0}; }
Seen protocol_error(std::uint16_t code, std::string why) { return {FrameEvent::Kind::ProtocolError, std::move(why), code}; }

TEST(WebSocketFrame, MaskedTextFrameIsUnmasked) {
  EXPECT_EQ(decode(client_frame(0x1, "Hello")), std::vector<Seen>{text("Hello")});
}

TEST(WebSocketFrame, LengthsOf7And16And64BitsDecode) {
  const std::string small(125, 'a');
  const std::string medium(126, 'b');
  const std::string large(70'000, 'c');
  EXPECT_EQ(decode(client_frame(0x1, small)), std::vector<Seen>{text(small)});
  EXPECT_EQ(decode(client_frame(0x1, medium)), std::vector<Seen>{text(medium)});
  EXPECT_EQ(decode(client_frame(0x1, large)), std::vector<Seen>{text(large)});
}

TEST(WebSocketFrame, EveryFrameSurvivesBeingSplitAtEveryByte) {
  const std::string wire = client_frame(0x1, "fragment one, ", false) + client_frame(0x9, "ping!") +
                           client_frame(0x0, std::string(300, 'x'), false) + client_frame(0x0, "end") +
                           client_frame(0x2, std::string("\0\1\2", 3)) + client_frame(0x8, "\x03\xe8" "bye");
  const std::vector<Seen> expected = {{FrameEvent::Kind::Ping, "ping!", 0},
                                      text("fragment one, " + std::string(300, 'x') + "end"),
                                      {FrameEvent::Kind::Binary, std::string("\0\1\2", 3), 0},
                                      {FrameEvent::Kind::Close, "bye", 1000}};
  for (std::size_t split = 1; split <= wire.size(); ++split) {
    // Two pieces split at `split`, and single bytes.
    FrameDecoder decoder(1 << 20);
    std::vector<Seen> seen;
    for (std::string_view piece : {std::string_view(wire).substr(0, split), std::string_view(wire).substr(split)}) {
      for (;;) {
        FrameEvent event = decoder.next(piece);
        if (event.kind == FrameEvent::Kind::NeedMore) break;
        seen.push_back({event.kind, std::string(event.payload), event.close_code});
      }
    }
    EXPECT_EQ(seen, expected) << "split at byte " << split;
  }
  EXPECT_EQ(decode(wire, 1), expected);
}

TEST(WebSocketFrame, SeveralFramesInOneReadComeOutOneAtATime) {
  const std::string wire = client_frame(0x1, "a") + client_frame(0x1, "b") + client_frame(0xA, "");
  EXPECT_EQ(decode(wire), (std::vector<Seen>{text("a"), text("b"), {FrameEvent::Kind::Pong, "", 0}}));
}

TEST(WebSocketFrame, EmptyCloseHasNoStatus) {
  EXPECT_EQ(decode(client_frame(0x8, "")), (std::vector<Seen>{{FrameEvent::Kind::Close, "", 0}}));
}

TEST(WebSocketFrame, UnmaskedClientFrameIsAProtocolError) {
  auto seen = decode(client_frame(0x1, "hi", true, -1, /*masked=*/false));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], protocol_error(1002, "client frames must be masked"));
}

TEST(WebSocketFrame, ProtocolErrorsCloseWith1002) {
  std::string reserved = client_frame(0x1, "x");
  reserved[0] = static_cast<char>(reserved[0] | 0x40);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {reserved, "reserved bits set without an extension"},
      {client_frame(0x3, "x"), "unknown opcode"},
      {client_frame(0x9, "x", /*fin=*/false), "fragmented control frame"},
      {client_frame(0x9, std::string(126, 'p')), "control frame over 125 bytes"},
      {client_frame(0x0, "x"), "continuation frame without a message"},
      {client_frame(0x1, "x", false) + client_frame(0x1, "y"), "new message inside a fragmented one"},
      {client_frame(0x1, "short", true, 2), "length not minimally encoded"},
      {client_frame(0x1, std::string(200, 'a'), true, 8), "length not minimally encoded"},
      {client_frame(0x8, "\x03"), "close frame with a one-byte payload"},
      {client_frame(0x8, "\x03\xed"), "invalid close code"},  // 1005 may not be sent
  };
  for (const auto& [wire, why] : cases) {
    auto seen = decode(wire);
    ASSERT_EQ(seen.size(), 1u) << why;
    EXPECT_EQ(seen[0], protocol_error(1002, why));
  }
}

TEST(WebSocketFrame, SixtyFourBitLengthWithTheHighBitSetIsRefused) {
  std::string wire = {static_cast<char>(0x81), static_cast<char>(0xFF), static_cast<char>(0x80), 0, 0, 0, 0, 0, 0, 0};
  wire.append(reinterpret_cast<const char*>(kMask.data()), 4);
  EXPECT_EQ(decode(wire), std::vector<Seen>{protocol_error(1002, "64-bit length with the high bit set")});
}

TEST(WebSocketFrame, MessageOverTheCapIsRefusedEvenWhenFragmented) {
  EXPECT_EQ(decode(client_frame(0x1, std::string(101, 'a')), 1000, 100),
            std::vector<Seen>{protocol_error(1009, "message too big")});
  const std::string fragmented = client_frame(0x1, std::string(60, 'a'), false) + client_frame(0x0, std::string(60, 'b'));
  EXPECT_EQ(decode(fragmented, 1000, 100), std::vector<Seen>{protocol_error(1009, "message too big")});
  EXPECT_EQ(decode(client_frame(0x1, std::string(100, 'a')), 1000, 100), std::vector<Seen>{text(std::string(100, 'a'))});
}

TEST(WebSocketFrame, InvalidUtf8TextIsRefusedWith1007) {
  EXPECT_EQ(decode(client_frame(0x1, "caf\xc3")), std::vector<Seen>{protocol_error(1007, "text message is not UTF-8")});
  // A character split across fragments is fine.
  EXPECT_EQ(decode(client_frame(0x1, "caf\xc3", false) + client_frame(0x0, "\xa9")), std::vector<Seen>{text("caf\xc3\xa9")});
  // Binary messages carry any bytes.
  EXPECT_EQ(decode(client_frame(0x2, "\xff")).at(0).kind, FrameEvent::Kind::Binary);
}

// RFC 6455 §8.1 with Autobahn's fail-fast (cases 6.4.x): the message fails at its first
// invalid byte, while fragments, or even bytes of the same frame, are still to come.
TEST(WebSocketFrame, InvalidUtf8FailsBeforeTheMessageEnds) {
  const std::vector<Seen> refused{protocol_error(1007, "text message is not UTF-8")};
  // A first fragment holding U+110000: refused without its continuation.
  EXPECT_EQ(decode(client_frame(0x1, "\xce\xba\xf4\x90\x80\x80", false)), refused);
  // A fragment ending in F4, the next bringing 90 (past U+10FFFF): refused at that byte.
  EXPECT_EQ(decode(client_frame(0x1, "ok\xf4", false) + client_frame(0x0, "\x90", false)), refused);
  // Inside one frame whose bytes are not all here: a surrogate's second byte is enough.
  const std::string frame = client_frame(0x1, "abc\xed\xa0\x80 and more text");
  EXPECT_EQ(decode(frame.substr(0, 6 + 5), 1), refused);
  // A character cut short by the end of the message is still refused at the end.
  EXPECT_EQ(decode(client_frame(0x1, "ok\xf0\x9f", false) + client_frame(0x0, "\xa6")), refused);
}

TEST(WebSocketFrame, DecoderStaysFailedAfterAProtocolError) {
  FrameDecoder decoder(1024);
  std::string wire = client_frame(0x3, "x") + client_frame(0x1, "fine");
  std::string_view input = wire;
  EXPECT_EQ(decoder.next(input).kind, FrameEvent::Kind::ProtocolError);
  EXPECT_EQ(decoder.next(input).kind, FrameEvent::Kind::ProtocolError);
}

TEST(WebSocketFrame, Utf8ValidatorRefusesOverlongsSurrogatesAndOutOfRange) {
  EXPECT_TRUE(is_valid_utf8("plain ascii"));
  EXPECT_TRUE(is_valid_utf8("\xe2\x82\xac \xf0\x9f\x98\x80"));  // euro sign, emoji
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));                    // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));                // overlong, three bytes
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));                // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));            // U+110000
  EXPECT_FALSE(is_valid_utf8("\x80"));                        // stray continuation
}

TEST(WebSocketFrame, ServerHeadersUseTheShortestLength) {
  EXPECT_EQ(encode_frame_header(Opcode::Text, 5), std::string("\x81\x05", 2));
  EXPECT_EQ(encode_frame_header(Opcode::Text, 126), std::string("\x81\x7e\x00\x7e", 4));
  EXPECT_EQ(encode_frame_header(Opcode::Binary, 65535), std::string("\x82\x7e\xff\xff", 4));
  EXPECT_EQ(encode_frame_header(Opcode::Text, 65536), std::string("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10));
  EXPECT_EQ(encode_frame_header(Opcode::Close, 2), std::string("\x88\x02", 2));
}

TEST(WebSocketFrame, ClosePayloadFitsAControlFrameWithoutCuttingACharacter) {
  EXPECT_EQ(encode_close_payload(4100, "Over capacity"), std::string("\x10\x04Over capacity", 15));
  EXPECT_EQ(encode_close_payload(0, "ignored"), "");
  const std::string long_reason = std::string(122, 'a') + "\xc3\xa9";  // the 2-byte character would straddle 123
  const std::string payload = encode_close_payload(1000, long_reason);
  EXPECT_EQ(payload.size(), 2u + 122u);
  EXPECT_TRUE(is_valid_utf8(std::string_view(payload).substr(2)));
}

}  // namespace
}  // namespace genq::ws
