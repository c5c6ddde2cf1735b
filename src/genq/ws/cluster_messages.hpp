#pragma once
// The Pusher server's messages between nodes (bodies of RedisNodeLink messages),
// small JSON objects:
//   {"t":"c","c":CHANNEL,"n":SUBSCRIPTIONS,"m":{USER_ID:USER_INFO_JSON,...}}
//       one channel's state on the sending node ("m" on presence channels only;
//       "n":0 when the node has left the channel)
//   {"t":"s","e":LAST,"ch":[{"c","n","m"},...]}
//       a part of the node's full state; the first part is the link's reset, the
//       one with "e":true the last
//   {"t":"f","c":CHANNEL,"x":EXCEPT_SOCKET_ID,"f":FRAME}
//       a Pusher frame to deliver to the channel's subscribers on the receiving node
// Pure functions; thread-safe.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "genq/ws/remote_channels.hpp"

namespace genq::ws {

struct ChannelStateMessage {
  NodeChannelState state;
};
struct FullStatePart {
  bool last = false;
  std::vector<NodeChannelState> states;
};
struct RelayedFrame {
  std::string channel;
  std::string except;
  std::string frame;
};
using ClusterMessage = std::variant<ChannelStateMessage, FullStatePart, RelayedFrame>;

std::string encode_channel_state(const NodeChannelState& state);
std::string encode_full_state_part(const std::vector<NodeChannelState>& states, bool last);
std::string encode_relayed_frame(std::string_view channel, std::string_view except, std::string_view frame);
// Null for a message this version does not understand.
std::optional<ClusterMessage> decode_cluster_message(std::string_view body);

}  // namespace genq::ws
