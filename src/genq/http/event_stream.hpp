#pragma once
// The connection of a streamed answer (Server-Sent Events): the HTTP session wrote the
// status line and headers and handed the connection over; the owner writes events to
// it until it is done or the client goes. Free of Beast types, so route code that
// streams does not pay for them.
//
// Thread-safe: write() and close() from any thread. A client that does not read
// (more than kMaxQueuedBytes waiting) is closed rather than buffered for. While
// nothing is written for kKeepAlive, a comment line goes out, so proxies and the
// client's own timeouts see a live connection.
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace genq::http {

class EventStream {
 public:
  static constexpr std::chrono::seconds kKeepAlive{15};
  static constexpr std::size_t kMaxQueuedBytes = 4 * 1024 * 1024;

  virtual ~EventStream() = default;
  // Queues bytes (one or more whole events); dropped once the stream is closing.
  virtual void write(std::string bytes) = 0;
  // Closes the connection once the queued bytes are out.
  virtual void close() = 0;
  // Runs `closed` once, on the stream's thread, when the connection has ended (the
  // client went, a write failed, or close() finished); at once if it already has.
  virtual void on_closed(std::function<void()> closed) = 0;
};

}  // namespace genq::http
