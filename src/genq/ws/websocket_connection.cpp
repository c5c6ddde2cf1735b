#include "genq/ws/websocket_connection.hpp"

#include <array>

namespace genq::ws {

namespace {

// One receive buffer per I/O thread, shared by all its connections: a read is decoded
// completely before the thread runs anything else, so no connection needs its own.
// 64 KB: a whole 16 KB message and then some in one read.
constexpr std::size_t kReceiveBufferBytes = 64 * 1024;

// A plain connection's socket; under TLS an unopened one (the stream keeps the socket).
WebSocketConnection::Socket socket_of(http::Transport& stream) {
  if (stream.is_tls()) return WebSocketConnection::Socket(stream.get_executor());
  return stream.release_socket();
}

}  // namespace

WebSocketConnection::WebSocketConnection(http::Transport&& stream, std::size_t max_message_bytes)
    : socket_(socket_of(stream)),
      tls_(stream.is_tls() ? std::make_unique<TlsReader>(std::move(stream)) : nullptr),
      decoder_(max_message_bytes) {
  // receive() must never block the I/O thread; a failure shows up on the first read.
  boost::system::error_code ignored;
  if (!tls_) socket_.non_blocking(true, ignored);
}

WebSocketConnection::~WebSocketConnection() = default;

std::string_view WebSocketConnection::receive(boost::system::error_code& ec, bool& filled) {
  thread_local std::array<char, kReceiveBufferBytes> buffer;
  const std::size_t bytes = socket_.read_some(boost::asio::buffer(buffer), ec);
  filled = bytes == buffer.size();
  return std::string_view(buffer.data(), bytes);
}

void WebSocketConnection::release_batch() {
  std::vector<FramePtr>().swap(batch_);
  std::vector<boost::asio::const_buffer>().swap(buffers_);
}

void WebSocketConnection::close() {
  boost::system::error_code ignored;
  // Under TLS without close_notify: the WebSocket close frame has said goodbye already.
  Socket& socket = tls_ ? tls_->stream.tcp().socket() : socket_;
  socket.shutdown(Socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace genq::ws
