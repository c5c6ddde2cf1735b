#pragma once
// What the Pusher server shares with the other nodes of a cluster. A node tells the
// others which of its channels changed (subscription counts, presence members) and
// relays the events it publishes to a channel (HTTP API triggers, client events);
// what the others report lands in the ChannelRegistry (RemoteChannels). Job events
// do not pass through here: every node hears job changes on the event bus and
// delivers them to its own connections.
//
// LocalPusherCluster, the default, is a single server: nothing to tell anyone.
// RedisPusherCluster (redis_pusher_cluster.hpp) is the cluster over Redis.
// Thread-safe; calls never block (they queue, or do nothing).
#include <string>
#include <string_view>

namespace genq::ws {

class PusherCluster {
 public:
  virtual ~PusherCluster() = default;
  // Starts talking to the other nodes (after the server's own start).
  virtual void start() {}
  // Says goodbye and stops; before the server forgets its subscriptions.
  virtual void stop() {}
  // This node's subscribers or presence members of `channel` changed.
  virtual void channel_changed(std::string_view channel) = 0;
  // `frame_text` (an event on `channel`) for the channel's subscribers on the other
  // nodes, but never the connection `except` (a socket id; empty: none).
  virtual void relay(std::string_view channel, const std::string& frame_text, std::string_view except) = 0;
};

class LocalPusherCluster final : public PusherCluster {
 public:
  void channel_changed(std::string_view) override {}
  void relay(std::string_view, const std::string&, std::string_view) override {}
};

}  // namespace genq::ws
