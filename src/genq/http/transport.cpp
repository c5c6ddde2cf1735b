#include "genq/http/transport.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/detect_ssl.hpp>

#include <algorithm>

namespace genq::http {
namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {
// A write's small buffers (an HTTP header's fields, WebSocket frames) are copied into
// one up to this size, as Beast's flat_stream does: the SSL stream encrypts only the
// first buffer of a sequence per call, so each would otherwise be a TLS record and a send.
constexpr std::size_t kGatherBytes = 64 * 1024;
}  // namespace

struct Transport::Tls {
  Tls(beast::tcp_stream&& tcp, std::shared_ptr<ssl::context> ctx)
      : context(std::move(ctx)), stream(std::move(tcp), *context) {}
  // The context the handshake used; a reload swaps the server's, not this one.
  std::shared_ptr<ssl::context> context;
  ssl::stream<beast::tcp_stream> stream;
  std::vector<char> gathered;  // the write in flight, when it was gathered
};

Transport::Transport(net::ip::tcp::socket&& socket) : plain_(std::move(socket)) {}
Transport::Transport(Transport&&) noexcept = default;
Transport::~Transport() = default;

bool Transport::truncated(const boost::system::error_code& ec) { return ec == ssl::error::stream_truncated; }

beast::tcp_stream& Transport::tls_tcp() { return tls_->stream.next_layer(); }

// The SSL stream's operations get plain lambdas, not the type-erased handler itself:
// they run on the stream's executor (the session's strand), where the handler belongs.
void Transport::async_accept_tls(std::shared_ptr<ssl::context> context, beast::flat_buffer& buffer,
                                 AcceptHandler handler) {
  beast::async_detect_ssl(
      plain_, buffer,
      [this, context = std::move(context), &buffer, handler = std::move(handler)](beast::error_code ec,
                                                                                    bool tls) mutable {
        if (ec || !tls) return std::move(handler)(ec, false);
        tls_ = std::make_unique<Tls>(std::move(plain_), std::move(context));
        tls_->stream.async_handshake(ssl::stream_base::server, buffer.data(),
                                     [&buffer, handler = std::move(handler)](beast::error_code hs_ec,
                                                                             std::size_t used) mutable {
                                       buffer.consume(used);
                                       std::move(handler)(hs_ec, true);
                                     });
      });
}

void Transport::tls_read_some(net::mutable_buffer buffer, IoHandler handler) {
  tls_->stream.async_read_some(buffer, [handler = std::move(handler)](beast::error_code ec, std::size_t n) mutable {
    std::move(handler)(ec, n);
  });
}

void Transport::tls_write_some(std::vector<net::const_buffer> buffers, IoHandler handler) {
  auto done = [handler = std::move(handler)](beast::error_code ec, std::size_t n) mutable {
    std::move(handler)(ec, n);
  };
  std::erase_if(buffers, [](const net::const_buffer& b) { return b.size() == 0; });
  if (buffers.empty()) return tls_->stream.async_write_some(net::const_buffer(), std::move(done));
  if (buffers.size() == 1 || buffers.front().size() >= kGatherBytes) {
    return tls_->stream.async_write_some(buffers.front(), std::move(done));
  }
  // Copies whole buffers while they fit, then part of the next: a write may take less.
  std::vector<char>& out = tls_->gathered;
  out.clear();
  for (const auto& b : buffers) {
    const std::size_t take = std::min(b.size(), kGatherBytes - out.size());
    const char* data = static_cast<const char*>(b.data());
    out.insert(out.end(), data, data + take);
    if (out.size() == kGatherBytes) break;
  }
  tls_->stream.async_write_some(net::buffer(out), std::move(done));
}

}  // namespace genq::http
