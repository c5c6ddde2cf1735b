#include "genq/ws/websocket_handshake.hpp"

#include <boost/beast/http/rfc7230.hpp>
#include <fmt/format.h>

#include "genq/crypto/crypto.hpp"

namespace genq::ws {
namespace http = boost::beast::http;

namespace {

// RFC 6455 §1.3: appended to the client's key before hashing.
constexpr std::string_view kHandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

HandshakeReply refuse(std::string_view status, std::string_view extra_headers, std::string_view why) {
  return HandshakeReply{false, fmt::format("HTTP/1.1 {}\r\nServer: genq\r\n{}Connection: close\r\n"
                                           "Content-Type: text/plain\r\nContent-Length: {}\r\n\r\n{}",
                                           status, extra_headers, why.size(), why)};
}

}  // namespace

std::string websocket_accept_key(std::string_view client_key) {
  std::string keyed(client_key);
  keyed.append(kHandshakeGuid);
  return crypto::base64_encode(crypto::sha1(keyed));
}

HandshakeReply answer_upgrade(const http::request<http::empty_body>& request) {
  if (request.method() != http::verb::get || request.version() != 11) {
    return refuse("400 Bad Request", "", "A WebSocket upgrade must be an HTTP/1.1 GET.");
  }
  if (!http::token_list(request[http::field::connection]).exists("upgrade") ||
      !http::token_list(request[http::field::upgrade]).exists("websocket")) {
    return refuse("400 Bad Request", "", "Missing Connection: Upgrade or Upgrade: websocket.");
  }
  if (request[http::field::sec_websocket_version] != "13") {
    return refuse("426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n", "Only WebSocket version 13 is spoken.");
  }
  const std::string_view key = request[http::field::sec_websocket_key];
  std::string nonce;
  // The key is a base64-encoded 16-byte nonce (§4.1).
  if (key.size() != 24 || !crypto::base64_decode(key, nonce) || nonce.size() != 16) {
    return refuse("400 Bad Request", "", "Invalid Sec-WebSocket-Key.");
  }
  return HandshakeReply{true, fmt::format("HTTP/1.1 101 Switching Protocols\r\nServer: genq\r\n"
                                          "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                          "Sec-WebSocket-Accept: {}\r\n\r\n",
                                          websocket_accept_key(key))};
}

}  // namespace genq::ws
