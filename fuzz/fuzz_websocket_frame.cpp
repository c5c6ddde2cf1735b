// A client's WebSocket bytes, split into reads of fuzzer-chosen sizes: every message
// handed out is within the size limit, text is valid UTF-8, and after a protocol error
// the decoder stays failed.
#include "fuzz_input.hpp"
#include "genq/core/utf8.hpp"
#include "genq/ws/websocket_frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using genq::ws::FrameEvent;
  genq::fuzz::FuzzInput input(data, size);
  const std::size_t limit = 16 + input.byte() * 64u;
  const std::size_t chunk = 1 + input.byte();
  genq::ws::FrameDecoder decoder(limit);
  bool failed = false;
  std::string_view rest = input.rest();
  while (!rest.empty()) {
    std::string_view read = rest.substr(0, chunk);
    rest.remove_prefix(read.size());
    while (!read.empty()) {
      const FrameEvent event = decoder.next(read);
      if (event.kind == FrameEvent::Kind::NeedMore) break;
      if (failed && event.kind != FrameEvent::Kind::ProtocolError) __builtin_trap();
      switch (event.kind) {
        case FrameEvent::Kind::ProtocolError: failed = true; break;
        case FrameEvent::Kind::Text:
          if (!genq::is_valid_utf8(event.payload)) __builtin_trap();
          [[fallthrough]];
        case FrameEvent::Kind::Binary:
          if (event.payload.size() > limit) __builtin_trap();
          break;
        case FrameEvent::Kind::Ping:
        case FrameEvent::Kind::Pong:
        case FrameEvent::Kind::Close:
          if (event.payload.size() > genq::ws::kMaxControlPayload) __builtin_trap();
          break;
        case FrameEvent::Kind::NeedMore: break;
      }
      if (failed) break;
    }
  }
  return 0;
}
