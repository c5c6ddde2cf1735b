#pragma once
// `genq serve`'s Pusher-protocol WebSocket settings (SPEC §5), as flags and GENQ_PUSHER_*
// variables give them. Empty credentials are generated into the data directory on
// first start and kept (app/pusher_setup.cpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace genq {

struct PusherConfig {
  std::string app_id;
  std::string key;
  std::string secret;
  std::int64_t activity_timeout_s = 30;
  std::int64_t pong_timeout_s = 30;
  std::size_t max_buffer_bytes = 4 * 1024 * 1024;
  std::size_t max_message_bytes = 16 * 1024;
  std::size_t max_event_bytes = 10 * 1024;
  std::size_t max_channel_name = 164;
  std::size_t max_presence_members = 100;
  bool client_events = false;
  std::vector<std::string> presence_channels;
  // With --bus redis://: a node not heard for this long is dropped from the cluster's
  // channels and presence members; nodes send a heartbeat every quarter of it.
  std::int64_t node_timeout_ms = 8000;
};

}  // namespace genq
