#pragma once
// Settings of the Pusher-protocol WebSocket server (SPEC §5): the app credentials and
// the limits Pusher documents. app/ fills it from flags, GENQ_PUSHER_* variables and
// the data directory; ws/ only reads it. Plain data, copied freely.
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace genq::ws {

struct PusherOptions {
  std::string app_id;
  std::string key;     // public: clients connect to /app/{key}
  std::string secret;  // signs channel auth and verifies HTTP API requests

  // Sent in pusher:connection_established; the client pings after this much silence,
  // and the server pings a client it has not heard from for this long. Pusher's own
  // default is 120 s; 30 s is what the seed documents ("a ping every 30 seconds").
  std::chrono::seconds activity_timeout{30};
  // After a server pusher:ping, how long the client has to answer before 4201.
  std::chrono::seconds pong_timeout{30};

  // Outbound bytes queued per connection beyond the frame being written. Past it the
  // connection is closed with 4100 (over capacity: reconnect with back-off).
  std::size_t max_buffer_bytes = 4 * 1024 * 1024;
  // Largest WebSocket message a client may send (subscribe, client events).
  std::size_t max_message_bytes = 16 * 1024;
  // Largest event `data` a client event or an HTTP API trigger may carry (Pusher: 10 KB).
  std::size_t max_event_bytes = 10 * 1024;
  // Pusher's documented limits.
  std::size_t max_channel_name = 164;
  std::size_t max_event_name = 200;
  std::size_t max_channels_per_trigger = 100;
  std::size_t max_batch_events = 10;
  std::size_t max_presence_members = 100;
  std::size_t max_user_id = 128;
  std::size_t max_user_info_bytes = 1024;

  // client-* events between subscribers of private and presence channels.
  bool client_events = false;
  // Presence channels any authenticated client may join ("presence-lobby", or a
  // prefix ending in '*': "presence-room-*"). Empty: none.
  std::vector<std::string> presence_channels;
  // HTTP API requests older or newer than this are refused (replay window).
  std::chrono::seconds api_timestamp_skew{600};
};

}  // namespace genq::ws
