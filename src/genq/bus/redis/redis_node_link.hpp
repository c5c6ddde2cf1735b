#pragma once
// Messages among the nodes of a cluster over one Redis pub/sub channel, for state each
// node keeps in memory and the others must mirror (the Pusher server's channels and
// presence members: ws/redis_pusher_cluster.hpp). Besides carrying messages it tells
// its user two things pub/sub alone does not:
//  - which nodes are alive: every node sends a heartbeat each `heartbeat`; a node not
//    heard for `node_timeout` (killed, cut off from Redis) or that said goodbye is
//    reported lost, once;
//  - when a node's state messages went missing (pub/sub drops them across a reconnect,
//    or for a subscriber that falls behind): each node numbers its state messages,
//    heartbeats carry the last number, and a gap makes the link ask that node for its
//    whole state again (resync_wanted on that node).
// Wire: text messages "<node> <kind> <seq> <body>", kind one of
//   h heartbeat (seq: the last state number)   S state, first of a full state (a reset)
//   s state (numbered)   u other (unnumbered)   r resync request (body: a node or *)
//   b goodbye (the node stops)
// Threads, each with its own connection: the publisher (queued messages, heartbeats,
// and the state collect() returns, numbered in send order) and the subscriber (every
// handler but collect runs on it). Redis down: messages are dropped, and the other
// nodes are reported lost after node_timeout (this node keeps working on its own).
// Thread-safe. Handlers are set at construction; start() once, stop() joins.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "genq/bus/redis/redis_endpoint.hpp"
#include "genq/core/clock.hpp"

namespace genq::bus {

class RedisConnection;

struct RedisNodeLinkOptions {
  RedisEndpoint endpoint;
  std::string channel;                // the pub/sub channel, e.g. "genq:0:pusher"
  std::string node_id;                // this node; empty: random
  Millis heartbeat{2000};
  Millis node_timeout{8000};          // silence after which a node counts as gone
  std::size_t max_queued = 10'000;    // unnumbered messages waiting for the publisher
  Millis connect_timeout{2000};
  Millis max_backoff{5000};
  Millis log_interval{30'000};
};

// One state message to send: `reset` starts a full state (the receivers' numbering of
// this node restarts there).
struct NodeState {
  bool reset = false;
  std::string body;
};

struct NodeLinkHandlers {
  enum class Kind { Reset, State, Other };
  // Another node's message. State messages arrive in the order sent, except across a
  // gap (then a Reset follows once the sender has answered the resync request).
  std::function<void(const std::string& origin, Kind kind, std::string_view body)> message;
  // A node went silent for node_timeout, or said goodbye.
  std::function<void(const std::string& origin)> node_lost;
  // A node wants this node's whole state: collect() should start with a reset.
  std::function<void()> resync_wanted;
  // On the publisher thread, each time it wakes while connected: the state messages
  // to send now, in order.
  std::function<std::vector<NodeState>()> collect;
};

class RedisNodeLink {
 public:
  RedisNodeLink(RedisNodeLinkOptions options, NodeLinkHandlers handlers);
  ~RedisNodeLink();
  RedisNodeLink(const RedisNodeLink&) = delete;
  RedisNodeLink& operator=(const RedisNodeLink&) = delete;

  void start();
  // Says goodbye (best effort, bounded by connect_timeout) and joins the threads.
  void stop();

  // Queues an unnumbered message for the other nodes; never blocks.
  void send(std::string body);
  // Wakes the publisher to call collect() now.
  void poke();

  const std::string& node_id() const { return options_.node_id; }
  bool connected() const { return publisher_up_ && subscriber_up_; }
  // Nodes heard from within node_timeout, this one excluded.
  std::size_t peers() const { return peers_.load(); }

 private:
  struct Peer {
    std::optional<std::uint64_t> last_seq;  // unknown until a reset, or after a gap
    std::chrono::steady_clock::time_point heard{}, asked{};
  };
  void publisher_loop();
  void subscriber_loop();
  std::string listen(RedisConnection& connection);
  void on_message(std::string_view text);
  // Subscriber thread: asks `origin` for its state unless asked within a heartbeat.
  void ask_resync(const std::string& origin, Peer& peer);
  void expire_silent();
  void queue(std::string message);
  std::string envelope(char kind, std::uint64_t seq, std::string_view body) const;
  // Waits `delay` or until stop(); false when stopping. The subscriber's waits
  // expire silent nodes meanwhile.
  bool pause(Millis delay, bool expiring);

  RedisNodeLinkOptions options_;
  NodeLinkHandlers handlers_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> outbox_;  // GUARDED_BY(mutex_); enveloped
  bool poked_ = false;              // GUARDED_BY(mutex_)
  bool stopping_ = false;           // GUARDED_BY(mutex_)
  int stop_fd_ = -1;                // eventfd: wakes the subscriber's poll

  std::uint64_t seq_ = 0;                          // publisher thread only
  std::unordered_map<std::string, Peer> peers_by_id_;  // subscriber thread only
  std::atomic<std::size_t> peers_{0};
  std::atomic<bool> publisher_up_{false};
  std::atomic<bool> subscriber_up_{false};
  std::thread publisher_, subscriber_;
};

}  // namespace genq::bus
