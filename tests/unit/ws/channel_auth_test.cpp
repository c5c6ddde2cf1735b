#include "genq/ws/channel_auth.hpp"

#include <gtest/gtest.h>

#include "genq/ws/api_signature.hpp"
#include "genq/ws/channel_name.hpp"

namespace genq::ws {
namespace {

// The credentials of Pusher's own documentation examples, so these vectors match what
// every Pusher library computes.
constexpr const char* kKey = "278d425bdf160c739803";
constexpr const char* kSecret = "7ad3773142a6692b25b8";

TEST(ChannelAuth, PrivateSignatureMatchesPusherDocumentedExample) {
  EXPECT_EQ(sign_channel(kKey, kSecret, "1234.1234", "private-foobar"),
            "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
}

TEST(ChannelAuth, PresenceSignatureCoversChannelData) {
  const std::string data = R"({"user_id":10,"user_info":{"name":"Mr. Channels"}})";
  // HMAC-SHA256 of "1234.1234:presence-foobar:<data>", as Node's crypto computes it.
  EXPECT_EQ(sign_channel(kKey, kSecret, "1234.1234", "presence-foobar", data),
            "278d425bdf160c739803:31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80");
  auto auth = sign_channel(kKey, kSecret, "1234.1234", "presence-foobar", data);
  EXPECT_TRUE(verify_channel(auth, kKey, kSecret, "1234.1234", "presence-foobar", data));
  EXPECT_FALSE(verify_channel(auth, kKey, kSecret, "1234.1234", "presence-foobar", R"({"user_id":11})"));
}

TEST(ChannelAuth, SignatureForAnotherSocketOrChannelIsRejected) {
  auto auth = sign_channel(kKey, kSecret, "1234.1234", "private-client.a");
  EXPECT_TRUE(verify_channel(auth, kKey, kSecret, "1234.1234", "private-client.a"));
  EXPECT_FALSE(verify_channel(auth, kKey, kSecret, "1234.1235", "private-client.a"));
  EXPECT_FALSE(verify_channel(auth, kKey, kSecret, "1234.1234", "private-client.b"));
  EXPECT_FALSE(verify_channel(auth, kKey, "other-secret", "1234.1234", "private-client.a"));
  EXPECT_FALSE(verify_channel("", kKey, kSecret, "1234.1234", "private-client.a"));
}

TEST(ChannelAuth, SocketIdsAreTwoNumbersJoinedByADot) {
  EXPECT_TRUE(valid_socket_id("1234.5678"));
  EXPECT_TRUE(valid_socket_id("1.2"));
  EXPECT_FALSE(valid_socket_id("1234"));
  EXPECT_FALSE(valid_socket_id(".5678"));
  EXPECT_FALSE(valid_socket_id("1234."));
  EXPECT_FALSE(valid_socket_id("12a4.5678"));
  EXPECT_FALSE(valid_socket_id("1.2.3"));
  EXPECT_FALSE(valid_socket_id("1234.5678:private-x"));
  EXPECT_FALSE(valid_socket_id(std::string(25, '1') + ".1"));
}

TEST(ChannelAuth, ChannelDataNamesTheMember) {
  auto member = parse_channel_data(R"({"user_id":"c1","user_info":{"name":"Ada"}})", {});
  ASSERT_TRUE(member) << member.error().message;
  EXPECT_EQ(member->user_id, "c1");
  EXPECT_EQ(member->user_info, R"({"name":"Ada"})");

  auto numeric = parse_channel_data(R"({"user_id":42})", {});
  ASSERT_TRUE(numeric);
  EXPECT_EQ(numeric->user_id, "42");
  EXPECT_EQ(numeric->user_info, "null");
}

TEST(ChannelAuth, ChannelDataWithoutUserIdOrTooLargeIsInvalid) {
  EXPECT_FALSE(parse_channel_data("not json", {}));
  EXPECT_FALSE(parse_channel_data("[]", {}));
  EXPECT_FALSE(parse_channel_data(R"({"user_info":{}})", {}));
  EXPECT_FALSE(parse_channel_data(R"({"user_id":""})", {}));
  EXPECT_FALSE(parse_channel_data(R"({"user_id":{"a":1}})", {}));
  MemberLimits small{4, 16};
  EXPECT_FALSE(parse_channel_data(R"({"user_id":"12345"})", small));
  EXPECT_FALSE(parse_channel_data(R"({"user_id":"1","user_info":{"name":"a long name here"}})", small));
}

TEST(ChannelName, KindFollowsThePrefix) {
  EXPECT_EQ(channel_kind("orders"), ChannelKind::Public);
  EXPECT_EQ(channel_kind("private-client.7"), ChannelKind::Private);
  EXPECT_EQ(channel_kind("private-encrypted-x"), ChannelKind::Private);
  EXPECT_EQ(channel_kind("presence-lobby"), ChannelKind::Presence);
  EXPECT_EQ(client_channel("abc"), "private-client.abc");
}

TEST(ChannelName, OnlyPusherCharactersWithinTheLengthLimit) {
  EXPECT_TRUE(valid_channel_name("private-client.0b3c-uuid_=@,.;", 164));
  EXPECT_FALSE(valid_channel_name("", 164));
  EXPECT_FALSE(valid_channel_name("has space", 164));
  EXPECT_FALSE(valid_channel_name("slash/no", 164));
  EXPECT_FALSE(valid_channel_name("private-", 164));
  EXPECT_TRUE(valid_channel_name(std::string(164, 'a'), 164));
  EXPECT_FALSE(valid_channel_name(std::string(165, 'a'), 164));
}

TEST(ChannelName, PatternsAreNamesOrPrefixes) {
  EXPECT_TRUE(channel_matches("presence-lobby", "presence-lobby"));
  EXPECT_FALSE(channel_matches("presence-lobby", "presence-lobby2"));
  EXPECT_TRUE(channel_matches("presence-room-*", "presence-room-7"));
  EXPECT_FALSE(channel_matches("presence-room-*", "presence-room-"));
  EXPECT_FALSE(channel_matches("presence-room-*", "presence-other"));
}

TEST(ApiSignature, MatchesPusherDocumentedExample) {
  const std::string body = R"({"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"})";
  const std::string query =
      "auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
      "&body_md5=ec365a775a4cd0599faeb73354201b6f"
      "&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";
  auto ok = verify_api_request("POST", "/apps/3/events", query, body, {kKey, kSecret}, 1353088179,
                               std::chrono::seconds(600));
  EXPECT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(sign_api_request("POST", "/apps/3/events", "", body, {kKey, kSecret}, 1353088179), query);
}

TEST(ApiSignature, ExtraParametersAreSignedInKeyOrder) {
  auto query = sign_api_request("GET", "/apps/3/channels", "info=user_count&filter_by_prefix=presence-", "",
                                {kKey, kSecret}, 1000);
  EXPECT_TRUE(verify_api_request("GET", "/apps/3/channels", query, "", {kKey, kSecret}, 1000,
                                 std::chrono::seconds(600)));
  // The same request for another path or method is not authorised by that signature.
  EXPECT_FALSE(verify_api_request("GET", "/apps/3/channels/x", query, "", {kKey, kSecret}, 1000,
                                  std::chrono::seconds(600)));
  EXPECT_FALSE(verify_api_request("POST", "/apps/3/channels", query, "", {kKey, kSecret}, 1000,
                                  std::chrono::seconds(600)));
}

TEST(ApiSignature, TamperedBodyStaleTimestampOrWrongKeyIsRefused) {
  const std::string body = R"({"name":"a","channel":"c","data":"1"})";
  auto query = sign_api_request("POST", "/apps/3/events", "", body, {kKey, kSecret}, 5000);
  const auto window = std::chrono::seconds(600);
  EXPECT_TRUE(verify_api_request("POST", "/apps/3/events", query, body, {kKey, kSecret}, 5000, window));
  EXPECT_FALSE(verify_api_request("POST", "/apps/3/events", query, R"({"name":"b","channel":"c","data":"1"})",
                                  {kKey, kSecret}, 5000, window));
  EXPECT_FALSE(verify_api_request("POST", "/apps/3/events", query, body, {kKey, kSecret}, 5000 + 601, window));
  EXPECT_FALSE(verify_api_request("POST", "/apps/3/events", query, body, {"other-key", kSecret}, 5000, window));
  EXPECT_FALSE(verify_api_request("POST", "/apps/3/events", query, body, {kKey, "other-secret"}, 5000, window));
  EXPECT_FALSE(verify_api_request("POST", "/apps/3/events", "", body, {kKey, kSecret}, 5000, window));
}

}  // namespace
}  // namespace genq::ws
