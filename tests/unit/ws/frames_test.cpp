#include "genq/ws/frames.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace genq::ws {
namespace {
namespace json = boost::json;

TEST(Frames, ConnectionEstablishedCarriesDataAsAJsonString) {
  // pusher-js parses `data` a second time; Pusher's servers send it as a string.
  auto frame = json::parse(connection_established_frame("123.456", std::chrono::seconds(30)));
  EXPECT_EQ(frame.at("event").as_string(), "pusher:connection_established");
  auto data = json::parse(frame.at("data").as_string());
  EXPECT_EQ(data.at("socket_id").as_string(), "123.456");
  EXPECT_EQ(data.at("activity_timeout").as_int64(), 30);
}

TEST(Frames, ErrorsCarryCodeAndMessage) {
  auto frame = json::parse(error_frame(4001, "App key x does not exist."));
  EXPECT_EQ(frame.at("event").as_string(), "pusher:error");
  EXPECT_EQ(frame.at("data").at("code").as_int64(), 4001);
  EXPECT_TRUE(json::parse(error_frame(std::nullopt, "m")).at("data").at("code").is_null());
}

TEST(Frames, EventDataIsEscapedOnce) {
  auto frame = json::parse(event_frame("private-client.1", "request.status.updated", R"({"progress":"45.50"})"));
  EXPECT_EQ(frame.at("channel").as_string(), "private-client.1");
  EXPECT_EQ(json::parse(frame.at("data").as_string()).at("progress").as_string(), "45.50");
}

TEST(Frames, MemberAddedNamesUserAndInfo) {
  auto frame = json::parse(member_added_frame("presence-lobby", "u1", R"({"name":"Ada"})"));
  auto data = json::parse(frame.at("data").as_string());
  EXPECT_EQ(data.at("user_id").as_string(), "u1");
  EXPECT_EQ(data.at("user_info").at("name").as_string(), "Ada");
}

TEST(Frames, ClientEventsCarryTheSenderOnPresenceChannels) {
  auto frame = json::parse(client_event_frame("presence-lobby", "client-typing", json::parse(R"({"x":1})"), "u1"));
  EXPECT_EQ(frame.at("user_id").as_string(), "u1");
  EXPECT_EQ(frame.at("data").at("x").as_int64(), 1);
  EXPECT_FALSE(json::parse(client_event_frame("private-a", "client-x", nullptr, "")).as_object().contains("user_id"));
}

TEST(Frames, InboundSubscribeWithObjectOrStringData) {
  auto in = parse_inbound(R"({"event":"pusher:subscribe","data":{"channel":"private-a","auth":"k:s"}})");
  ASSERT_TRUE(in);
  auto sub = parse_subscribe(in->data);
  ASSERT_TRUE(sub) << sub.error().message;
  EXPECT_EQ(sub->channel, "private-a");
  EXPECT_EQ(sub->auth, "k:s");
  EXPECT_TRUE(sub->channel_data.empty());

  auto as_string = parse_inbound(R"({"event":"pusher:subscribe","data":"{\"channel\":\"orders\"}"})");
  ASSERT_TRUE(as_string);
  ASSERT_TRUE(parse_subscribe(as_string->data));
  EXPECT_EQ(parse_subscribe(as_string->data)->channel, "orders");
}

TEST(Frames, PresenceChannelDataMustBeTheSignedString) {
  auto in = parse_inbound(
      R"({"event":"pusher:subscribe","data":{"channel":"presence-a","auth":"k:s","channel_data":"{\"user_id\":\"1\"}"}})");
  ASSERT_TRUE(in);
  auto sub = parse_subscribe(in->data);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->channel_data, R"({"user_id":"1"})");
  auto object = parse_inbound(
      R"({"event":"pusher:subscribe","data":{"channel":"presence-a","channel_data":{"user_id":"1"}}})");
  EXPECT_FALSE(parse_subscribe(object->data));
}

TEST(Frames, MalformedInboundMessagesAreRejected) {
  EXPECT_FALSE(parse_inbound("not json"));
  EXPECT_FALSE(parse_inbound("[1,2]"));
  EXPECT_FALSE(parse_inbound(R"({"data":{}})"));
  EXPECT_FALSE(parse_inbound(R"({"event":""})"));
  EXPECT_FALSE(parse_inbound(R"({"event":"x","channel":5})"));
  EXPECT_FALSE(parse_subscribe(json::parse(R"({"auth":"x"})")));
  EXPECT_FALSE(parse_unsubscribe(json::parse("5")));
  auto unsub = parse_unsubscribe(json::parse(R"({"channel":"orders"})"));
  ASSERT_TRUE(unsub);
  EXPECT_EQ(*unsub, "orders");
}

}  // namespace
}  // namespace genq::ws
