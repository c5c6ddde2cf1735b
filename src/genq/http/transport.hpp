#pragma once
// One connection's byte stream: TCP, or TLS over it once async_accept_tls() has found
// a TLS client (--tls-cert). An AsyncReadStream and AsyncWriteStream, so Beast's
// http::async_read/async_write and asio::async_write run on it as on a tcp_stream.
// Plain, every operation goes straight to the tcp_stream, as before TLS existed. TLS
// operations pass a type-erased handler into transport.cpp, the one translation unit
// that includes the SSL stream: Beast's HTTP code is compiled once, for Transport, not
// once per stream type.
// Owned by one session (HttpSession, then PusherSession after an upgrade); not
// thread-safe: use it on the session's strand. One read and one write may be in
// flight at once.
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace genq::http {

class Transport {
 public:
  using executor_type = boost::beast::tcp_stream::executor_type;
  using IoHandler = boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;
  // handler(error, tls): tls is false when the client spoke something else (plain HTTP).
  using AcceptHandler = boost::asio::any_completion_handler<void(boost::system::error_code, bool)>;

  explicit Transport(boost::asio::ip::tcp::socket&& socket);
  Transport(Transport&&) noexcept;
  ~Transport();

  bool is_tls() const { return tls_ != nullptr; }
  // The peer closed the TCP connection without TLS's close_notify: for HTTP/1.1 with
  // framed messages as ordinary an end as eof (most clients end keep-alive this way).
  static bool truncated(const boost::system::error_code& ec);
  executor_type get_executor() { return tcp().get_executor(); }
  // The TCP layer, under TLS too: deadlines (expires_after), the socket, shutdown.
  boost::beast::tcp_stream& tcp() { return tls_ ? tls_tcp() : plain_; }

  // Reads whatever the client sends first; if it opens a TLS handshake, completes the
  // handshake with `context` (kept alive as long as the connection) and from then on
  // every read and write is encrypted. `buffer` holds the bytes read meanwhile: on a
  // handshake they are consumed; otherwise they are the start of what the client sent.
  // The deadline set on tcp() beforehand bounds the whole exchange.
  void async_accept_tls(std::shared_ptr<boost::asio::ssl::context> context, boost::beast::flat_buffer& buffer,
                        AcceptHandler handler);

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (!tls_) return plain_.async_read_some(buffers, std::forward<Handler>(handler));
    // A read may fill less than it was offered: the first non-empty buffer will do.
    boost::asio::mutable_buffer first;
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
      first = *it;
      if (first.size() > 0) break;
    }
    tls_read_some(first, IoHandler(std::forward<Handler>(handler)));
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (!tls_) return plain_.async_write_some(buffers, std::forward<Handler>(handler));
    std::vector<boost::asio::const_buffer> all(boost::asio::buffer_sequence_begin(buffers),
                                               boost::asio::buffer_sequence_end(buffers));
    tls_write_some(std::move(all), IoHandler(std::forward<Handler>(handler)));
  }

  // The socket for a WebSocket that frames itself on plain TCP (WebSocketConnection);
  // Requires: !is_tls().
  boost::asio::ip::tcp::socket release_socket() { return plain_.release_socket(); }

 private:
  struct Tls;
  boost::beast::tcp_stream& tls_tcp();
  void tls_read_some(boost::asio::mutable_buffer buffer, IoHandler handler);
  void tls_write_some(std::vector<boost::asio::const_buffer> buffers, IoHandler handler);

  boost::beast::tcp_stream plain_;  // moved into tls_ once TLS starts
  std::unique_ptr<Tls> tls_;
};

}  // namespace genq::http
