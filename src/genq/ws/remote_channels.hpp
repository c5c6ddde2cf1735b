#pragma once
// What the other nodes of a cluster report about their channels: per node and channel
// the subscription count and the presence members connected there, and the sums over
// nodes that queries and presence need (a user connected to two nodes counts once).
// Kept by ChannelRegistry under its mutex, so presence changes are judged against
// local and remote members at once. Not thread-safe.
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace genq::ws {

// One channel as one node holds it.
struct NodeChannelState {
  std::string channel;
  std::size_t subscriptions = 0;                            // 0: the node has left it
  std::map<std::string, std::string, std::less<>> members;  // presence: user_id -> user_info (JSON)
};

// A user who appeared among, or vanished from, the members on other nodes.
struct RemoteMemberChange {
  std::string channel;
  std::string user_id;
  std::optional<std::string> user_info;  // set: appeared; empty: vanished
};

class RemoteChannels {
 public:
  struct Member {
    std::string user_info;
    std::size_t nodes = 0;  // how many nodes have the user in the channel
  };
  using Members = std::map<std::string, Member, std::less<>>;

  // Replaces what `node` holds of `state.channel`; appends the member changes.
  void set(const std::string& node, NodeChannelState state, std::vector<RemoteMemberChange>& changes);
  // Replaces all of `node`'s channels with `states` (a full state).
  void replace_node(const std::string& node, std::vector<NodeChannelState> states,
                    std::vector<RemoteMemberChange>& changes);
  void drop_node(const std::string& node, std::vector<RemoteMemberChange>& changes);

  std::size_t subscriptions(std::string_view channel) const;
  // Null when no other node has members in `channel`.
  const Members* members(std::string_view channel) const;
  // Every channel some other node has subscribers in.
  void for_each_channel(const std::function<void(const std::string&, std::size_t subscriptions)>& visit) const;
  std::size_t node_count() const { return nodes_.size(); }

 private:
  struct Totals {
    std::size_t subscriptions = 0;
    Members members;
  };
  using NodeChannels = std::unordered_map<std::string, NodeChannelState>;

  std::unordered_map<std::string, NodeChannels> nodes_;  // node -> channel -> state
  std::unordered_map<std::string, Totals> totals_;       // channel -> sums over nodes
};

}  // namespace genq::ws
