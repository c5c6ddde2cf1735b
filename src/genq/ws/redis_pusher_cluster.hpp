#pragma once
// The Pusher server's cluster over Redis (docs/scale-out.md, "Pusher across nodes").
// Every node keeps, next to its own channels, a mirror of the other nodes' channels
// (subscription counts and presence members, in ChannelRegistry's RemoteChannels),
// so presence and the HTTP API's queries answer from memory on any node, and a
// subscribe never waits for the network.
//  - A channel whose local subscribers change is marked; the link's publisher sends
//    the marked channels' current state (so a burst of changes costs one message per
//    channel), numbered so receivers notice a lost one and ask for the whole state.
//  - Each node announces member_added/member_removed to its own connections when a
//    user joins or leaves the channel as a whole (first connection on any node, last
//    one anywhere), whether the change happened here or was reported by another node.
//  - Events published to a channel (HTTP API, client events) are relayed as frames.
//  - A node that stops says goodbye; one that dies is dropped after the link's
//    node_timeout, and its members are announced as removed.
// Thread-safe. start() after PusherServer::start; stop() before the registry clears.
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "genq/bus/redis/redis_node_link.hpp"
#include "genq/ws/pusher_cluster.hpp"
#include "genq/ws/remote_channels.hpp"

namespace genq::ws {

class PusherServer;

class RedisPusherCluster final : public PusherCluster {
 public:
  RedisPusherCluster(PusherServer& server, bus::RedisNodeLinkOptions options);
  ~RedisPusherCluster() override;

  void start() override;
  void stop() override;
  void channel_changed(std::string_view channel) override;
  void relay(std::string_view channel, const std::string& frame_text, std::string_view except) override;

  const std::string& node_id() const { return link_->node_id(); }
  bool connected() const { return link_->connected(); }
  std::size_t peers() const { return link_->peers(); }

 private:
  // Link handlers: collect on the publisher thread, the rest on the subscriber thread.
  std::vector<bus::NodeState> collect();
  void on_message(const std::string& origin, bus::NodeLinkHandlers::Kind kind, std::string_view body);
  void on_node_lost(const std::string& origin);

  PusherServer& server_;
  std::unique_ptr<bus::RedisNodeLink> link_;

  std::mutex mutex_;
  std::unordered_set<std::string> changed_;  // GUARDED_BY(mutex_): channels to announce
  bool full_state_wanted_ = false;           // GUARDED_BY(mutex_)
  // Subscriber thread only: full states being received, in parts.
  std::unordered_map<std::string, std::vector<NodeChannelState>> incoming_;
};

}  // namespace genq::ws
