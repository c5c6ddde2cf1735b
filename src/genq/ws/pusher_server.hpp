#pragma once
// The Pusher-protocol WebSocket server (SPEC §5): takes over upgraded connections on
// /app/{key}, hands each to a PusherSession, and broadcasts frames to channels. Owns
// the channel registry and the list of live sessions with its activity sweep. Created
// by app/ before the HTTP server starts; start() once the io_context exists; stop()
// after the I/O threads have ended and before the io_context is destroyed; it must
// outlive the io_context. Thread-safe.
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "genq/http/transport.hpp"
#include "genq/ws/channel_registry.hpp"
#include "genq/ws/live_sessions.hpp"
#include "genq/ws/pusher_cluster.hpp"
#include "genq/ws/pusher_options.hpp"

namespace genq::ws {

class PusherSession;

// Counters for /metrics; relaxed atomics, read at scrape time.
struct PusherCounters {
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::uint64_t> broadcasts{0};          // frames published to a channel
  std::atomic<std::uint64_t> deliveries{0};          // frames queued to connections
  std::atomic<std::uint64_t> coalesced{0};           // progress frames replaced while queued
  std::atomic<std::uint64_t> overflow_closes{0};     // connections closed with 4100
  std::atomic<std::uint64_t> pong_timeouts{0};       // connections closed with 4201
  std::atomic<std::uint64_t> messages_in{0};         // client messages received
  std::atomic<std::uint64_t> messages_out{0};        // frames queued to connections: events and replies
};

class PusherServer {
 public:
  explicit PusherServer(PusherOptions options);
  ~PusherServer();
  PusherServer(const PusherServer&) = delete;
  PusherServer& operator=(const PusherServer&) = delete;

  const PusherOptions& options() const { return options_; }
  ChannelRegistry& registry() { return registry_; }
  LiveSessions& live_sessions() { return live_sessions_; }
  PusherCounters& counters() { return counters_; }
  PusherCluster& cluster() { return *cluster_; }
  // Replaces the single-server default (LocalPusherCluster); before start().
  void set_cluster(std::unique_ptr<PusherCluster> cluster) { cluster_ = std::move(cluster); }

  // Whether an upgrade request for `path` is ours: "/app/{anything}". The key and
  // protocol version are checked after the handshake, so a wrong one is answered with
  // pusher:error and a close code the client libraries understand.
  static bool wants(std::string_view path);
  // Starts the activity sweep (pings, pong deadlines, close grace) on `io`, and the cluster.
  void start(boost::asio::io_context& io);
  // Takes over a connection whose WebSocket upgrade request has been read.
  // `slot` (the connection caps' place for it) is held until the socket closes.
  void accept(http::Transport&& stream, boost::beast::http::request<boost::beast::http::empty_body>&& request,
              std::shared_ptr<void> slot = nullptr);

  // Queues `frame` for every subscriber of `channel` on this node except the
  // connection whose socket id is `except`. Returns how many connections it reached.
  std::size_t broadcast(std::string_view channel, const FramePtr& frame, std::string_view except = {});
  // broadcast() here and on every other node of the cluster (HTTP API triggers,
  // client events). Job events use broadcast(): each node hears them on the bus.
  void publish(std::string_view channel, std::string frame_text, std::string_view except = {});
  // Announces presence changes to this node's subscribers.
  void announce(const std::vector<ChannelRegistry::MemberChange>& changes);

  // Asks every connection to close with `code` (4200 on shutdown: reconnect now).
  void close_all(int code, const std::string& reason);
  // Stops the cluster, ends the sweep and forgets every subscription. Requires: the
  // I/O threads have stopped.
  void stop();

  std::size_t connection_count() const;

  std::string next_socket_id();

  // Told of every new subscription (not a repeated subscribe), on the connection's
  // strand, after subscription_succeeded went out: must not block. Set before start().
  using SubscribedHook = std::function<void(const std::string& channel, std::shared_ptr<Subscriber> subscriber)>;
  void set_subscribed_hook(SubscribedHook hook) { subscribed_hook_ = std::move(hook); }
  void subscribed(const std::string& channel, std::shared_ptr<Subscriber> subscriber) const {
    if (subscribed_hook_) subscribed_hook_(channel, std::move(subscriber));
  }

 private:
  PusherOptions options_;
  ChannelRegistry registry_;
  PusherCounters counters_;
  std::uint32_t socket_id_prefix_;
  std::atomic<std::uint64_t> next_socket_serial_{1};
  LiveSessions live_sessions_;
  std::unique_ptr<PusherCluster> cluster_ = std::make_unique<LocalPusherCluster>();
  std::atomic<bool> stopping_{false};
  SubscribedHook subscribed_hook_;
};

}  // namespace genq::ws
