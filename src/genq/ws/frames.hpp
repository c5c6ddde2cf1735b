#pragma once
// The Pusher protocol 7 wire format: every message is a JSON text frame
// {"event": ..., "channel": ..., "data": ...}. Server events carry `data` as a JSON
// *string* (pusher-js parses it again); pusher:error and pusher:subscription_error
// carry an object, as Pusher's servers do. Pure functions; thread-safe.
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "genq/core/error.hpp"

namespace genq::ws {

// Pusher close and error codes the clients act on (pusher-js getCloseAction):
// 4000-4099 do not reconnect, 4100-4199 reconnect with back-off, 4200-4299 reconnect now.
namespace code {
inline constexpr int kAppNotFound = 4001;
inline constexpr int kPathNotFound = 4005;
inline constexpr int kUnsupportedProtocol = 4007;
inline constexpr int kNoProtocol = 4008;
inline constexpr int kUnauthorized = 4009;
inline constexpr int kOverCapacity = 4100;
inline constexpr int kReconnect = 4200;
inline constexpr int kPongNotReceived = 4201;
inline constexpr int kClientEventRejected = 4301;
}  // namespace code

std::string connection_established_frame(std::string_view socket_id, std::chrono::seconds activity_timeout);
std::string error_frame(std::optional<int> code, std::string_view message);
std::string ping_frame();
std::string pong_frame();
// `data` is the serialised data document: "{}" for public/private channels, the
// {"presence":{"ids","hash","count"}} document for presence channels.
std::string subscription_succeeded_frame(std::string_view channel, std::string_view data);
std::string subscription_error_frame(std::string_view channel, std::string_view type, std::string_view error,
                                     int status);
// `user_info` is serialised JSON.
std::string member_added_frame(std::string_view channel, std::string_view user_id, std::string_view user_info);
std::string member_removed_frame(std::string_view channel, std::string_view user_id);
// A channel event whose data is a string (server events: usually serialised JSON).
std::string event_frame(std::string_view channel, std::string_view event, std::string_view data);
// A client event, relayed with its data as sent and, on presence channels, the
// sender's user_id.
std::string client_event_frame(std::string_view channel, std::string_view event, const boost::json::value& data,
                               std::string_view user_id);

// One message from a client.
struct Inbound {
  std::string event;
  std::string channel;       // empty when absent
  boost::json::value data;   // object, or whatever the client sent
};
// Invalid for text that is not a JSON object with a string "event".
Result<Inbound> parse_inbound(std::string_view text);

// pusher:subscribe's data.
struct SubscribeRequest {
  std::string channel;
  std::string auth;          // empty for public channels
  std::string channel_data;  // presence only
};
Result<SubscribeRequest> parse_subscribe(const boost::json::value& data);
// pusher:unsubscribe's data.channel.
Result<std::string> parse_unsubscribe(const boost::json::value& data);

}  // namespace genq::ws
