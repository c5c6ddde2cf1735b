#pragma once
// The server side of the WebSocket opening handshake (RFC 6455 §4.2) for an upgrade
// request the HTTP session has already read: checks the request and writes the whole
// HTTP response, 101 or a refusal. No extension (permessage-deflate) and no
// subprotocol is ever agreed. Pure; thread-safe.
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include <string>
#include <string_view>

namespace genq::ws {

// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key: base64(SHA-1(key + GUID)).
std::string websocket_accept_key(std::string_view client_key);

struct HandshakeReply {
  bool accepted = false;  // the response is 101 and frames follow
  std::string response;   // status line, headers and the blank line (and a body if refused)
};
HandshakeReply answer_upgrade(const boost::beast::http::request<boost::beast::http::empty_body>& request);

}  // namespace genq::ws
