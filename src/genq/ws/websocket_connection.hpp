#pragma once
// The server end of one WebSocket connection, after the handshake: decodes what the
// client sends and writes batches of pre-encoded frames. On plain TCP it works on the
// socket as described below; under TLS (WSS) bytes arrive decrypted only by reading
// the SSL stream, so a TLS connection keeps a receive buffer of its own (TlsReader).
// genq frames WebSockets itself instead of using beast::websocket::stream because an
// idle Beast stream keeps ~1.5 KB of buffers and writes one frame per sendmsg (see
// docs/architecture.md). Here a connection waiting for input owns no read buffer:
// it waits for readability, then reads into a buffer owned by the I/O thread and
// keeps only the decoder's state for an unfinished frame; and it writes every frame
// it has queued (up to kMaxBatchFrames) with one gather write.
// Owned by one PusherSession; not thread-safe: use it on the session's strand only.
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "genq/http/transport.hpp"
#include "genq/ws/exact_size_allocator.hpp"
#include "genq/ws/outbound_queue.hpp"
#include "genq/ws/websocket_frame.hpp"

namespace genq::ws {

class WebSocketConnection {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  // Frames per gather write: two buffers each (header, text), within the 64 buffers
  // Asio passes to one sendmsg.
  static constexpr std::size_t kMaxBatchFrames = 32;

  // Takes the upgraded connection's stream: its socket when plain, all of it under TLS.
  WebSocketConnection(http::Transport&& stream, std::size_t max_message_bytes);
  ~WebSocketConnection();

  Socket::executor_type get_executor() { return socket_.get_executor(); }

  // Writes `buffer` (the handshake reply, before any frame) and calls handler(error_code, bytes).
  template <class Handler>
  void async_write(boost::asio::const_buffer buffer, Handler&& handler) {
    if (tls_) return boost::asio::async_write(tls_->stream, buffer, std::forward<Handler>(handler));
    boost::asio::async_write(socket_, buffer, std::forward<Handler>(handler));
  }

  // Calls handler(error_code) once the client has sent something. The wait is what an
  // idle connection keeps pending: it is allocated at its own size (ExactSizeAllocator).
  // Under TLS it is a read into the connection's buffer, which read_available() decodes.
  template <class Handler>
  void async_wait_readable(Handler&& handler) {
    if (tls_) {
      tls_->pending = 0;
      return tls_->stream.async_read_some(
          boost::asio::buffer(tls_->buffer),
          [this, handler = std::forward<Handler>(handler)](boost::system::error_code ec, std::size_t bytes) mutable {
            tls_->pending = bytes;
            handler(ec);
          });
    }
    socket_.async_wait(Socket::wait_read,
                       boost::asio::bind_allocator(ExactSizeAllocator<void>(), std::forward<Handler>(handler)));
  }

  // Reads what has arrived and hands each decoded message or control frame to
  // on_event(const FrameEvent&), which returns false to stop (the connection is
  // closing; the rest is dropped). Returns the socket's error (eof when the client
  // hung up); nothing left to read is not an error.
  template <class OnEvent>
  boost::system::error_code read_available(OnEvent&& on_event) {
    // A client sending faster than this is served again after others have had a turn.
    constexpr int kReadsPerWakeup = 4;
    if (tls_) {  // what async_wait_readable read: the next read is the next wait
      std::string_view input(tls_->buffer.data(), tls_->pending);
      tls_->pending = 0;
      for (;;) {
        FrameEvent event = decoder_.next(input);
        if (event.kind == FrameEvent::Kind::NeedMore || !on_event(event)) return {};
      }
    }
    for (int round = 0; round < kReadsPerWakeup; ++round) {
      boost::system::error_code ec;
      bool filled = false;
      std::string_view input = receive(ec, filled);
      if (ec) return ec == boost::asio::error::would_block ? boost::system::error_code() : ec;
      for (;;) {
        FrameEvent event = decoder_.next(input);
        if (event.kind == FrameEvent::Kind::NeedMore) break;
        if (!on_event(event)) return {};
      }
      if (!filled) return {};
    }
    return {};
  }

  // The batch the next write sends, empty: fill it with at most kMaxBatchFrames frames.
  // Requires: no write in flight.
  std::vector<FramePtr>& batch() { return batch_; }
  // Writes the batch's frames with one gather write (more only if the kernel takes
  // part of it), then releases them and calls handler(error_code, bytes).
  template <class Handler>
  void async_write_batch(Handler&& handler) {
    buffers_.clear();
    for (const auto& frame : batch_) {
      buffers_.emplace_back(frame->header.data(), frame->header.size());
      if (!frame->text.empty()) buffers_.emplace_back(frame->text.data(), frame->text.size());
    }
    const std::span<const boost::asio::const_buffer> all(buffers_);
    if (tls_) return boost::asio::async_write(tls_->stream, all, std::forward<Handler>(handler));
    boost::asio::async_write(socket_, all, std::forward<Handler>(handler));
  }
  // Forgets the written batch; an idle connection keeps neither vector's memory.
  void release_batch();

  // Closes the socket; pending operations complete with operation_aborted.
  void close();

 private:
  // One non-blocking read into the calling thread's receive buffer; the view is valid
  // until the next receive on this thread. `filled`: the buffer was filled, more may wait.
  std::string_view receive(boost::system::error_code& ec, bool& filled);

  // A WSS connection's stream and what its last read brought (16 KB: one TLS record).
  struct TlsReader {
    explicit TlsReader(http::Transport&& s) : stream(std::move(s)) {}
    http::Transport stream;
    std::array<char, 16 * 1024> buffer;
    std::size_t pending = 0;  // bytes of `buffer` not yet decoded
  };

  Socket socket_;  // plain TCP; unopened under TLS
  std::unique_ptr<TlsReader> tls_;
  FrameDecoder decoder_;
  std::vector<FramePtr> batch_;
  std::vector<boost::asio::const_buffer> buffers_;
};

}  // namespace genq::ws
