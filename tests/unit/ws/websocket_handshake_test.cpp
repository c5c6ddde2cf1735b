#include "genq/ws/websocket_handshake.hpp"

#include <gtest/gtest.h>

namespace genq::ws {
namespace {

namespace http = boost::beast::http;

http::request<http::empty_body> upgrade_request() {
  http::request<http::empty_body> request{http::verb::get, "/app/key?protocol=7", 11};
  request.set(http::field::host, "localhost");
  request.set(http::field::upgrade, "websocket");
  request.set(http::field::connection, "keep-alive, Upgrade");
  request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  request.set(http::field::sec_websocket_version, "13");
  return request;
}

TEST(WebSocketHandshake, AcceptKeyMatchesTheRfcExample) {
  // RFC 6455 §1.3.
  EXPECT_EQ(websocket_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, ValidRequestIsAnsweredWith101AndNoExtensions) {
  auto request = upgrade_request();
  request.set(http::field::sec_websocket_extensions, "permessage-deflate; client_max_window_bits");
  HandshakeReply reply = answer_upgrade(request);
  EXPECT_TRUE(reply.accepted);
  EXPECT_TRUE(reply.response.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
  EXPECT_NE(reply.response.find("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
  EXPECT_NE(reply.response.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_EQ(reply.response.find("Extensions"), std::string::npos);
  EXPECT_TRUE(reply.response.ends_with("\r\n\r\n"));
}

TEST(WebSocketHandshake, OtherVersionsAreAskedFor13) {
  auto request = upgrade_request();
  request.set(http::field::sec_websocket_version, "8");
  HandshakeReply reply = answer_upgrade(request);
  EXPECT_FALSE(reply.accepted);
  EXPECT_TRUE(reply.response.starts_with("HTTP/1.1 426 "));
  EXPECT_NE(reply.response.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
}

TEST(WebSocketHandshake, MissingOrMalformedKeyIsABadRequest) {
  for (const char* key : {"", "short", "not base64 at all, 24 ch", "AAAAAAAAAAAAAAAAAAAAAAAAAA=="}) {
    auto request = upgrade_request();
    request.set(http::field::sec_websocket_key, key);
    HandshakeReply reply = answer_upgrade(request);
    EXPECT_FALSE(reply.accepted) << key;
    EXPECT_TRUE(reply.response.starts_with("HTTP/1.1 400 ")) << key;
  }
}

TEST(WebSocketHandshake, RequestWithoutUpgradeTokensIsABadRequest) {
  auto request = upgrade_request();
  request.set(http::field::connection, "keep-alive");
  EXPECT_FALSE(answer_upgrade(request).accepted);
  request = upgrade_request();
  request.method(http::verb::post);
  EXPECT_FALSE(answer_upgrade(request).accepted);
}

}  // namespace
}  // namespace genq::ws
