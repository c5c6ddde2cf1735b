#pragma once
// Who is subscribed to which channel, and who is present in presence channels. The
// one piece of state every connection and every publisher shares. In a cluster it
// also holds what the other nodes report (RemoteChannels): presence members and the
// HTTP API's queries answer for the whole cluster, while subscribers() and occupied()
// (delivery, the hot path) stay this node's own. Thread-safe: one
// mutex, held only to read or edit the maps; frames are delivered by the caller after
// it returns (STYLE habit 6). Subscriber lists are copy-on-write, so a broadcast takes
// the lock for one shared_ptr copy however many subscribers the channel has.
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "genq/ws/channel_auth.hpp"
#include "genq/ws/outbound_queue.hpp"
#include "genq/ws/remote_channels.hpp"

namespace genq::ws {

// What a channel delivers frames to: a WebSocket session, or a fake in tests.
class Subscriber {
 public:
  virtual ~Subscriber() = default;
  virtual const std::string& socket_id() const = 0;
  // Queues `frame`; callable from any thread; never blocks and never calls back into
  // the registry.
  virtual void deliver(const FramePtr& frame) = 0;
};
using SubscriberPtr = std::shared_ptr<Subscriber>;
using SubscriberList = std::vector<SubscriberPtr>;

struct ChannelInfo {
  std::string name;
  std::size_t subscription_count = 0;
  std::size_t user_count = 0;  // presence channels; 0 otherwise
};

class ChannelRegistry {
 public:
  enum class Joined { Subscribed, AlreadySubscribed, MemberLimitReached };
  struct SubscribeOutcome {
    Joined joined = Joined::Subscribed;
    bool member_added = false;  // presence: this user was not in the channel before, on any node
    std::string presence_data;  // presence: {"presence":{"ids","hash","count"}}, serialised
  };
  // `member` is set for presence channels. A user may be present through several
  // connections, on several nodes; it counts once and leaves with its last connection.
  SubscribeOutcome subscribe(std::string_view channel, const SubscriberPtr& subscriber,
                             const std::optional<PresenceMember>& member, std::size_t max_members);

  struct UnsubscribeOutcome {
    bool was_subscribed = false;
    std::optional<std::string> member_removed;  // presence: the user id that left for good (every node)
  };
  UnsubscribeOutcome unsubscribe(std::string_view channel, const Subscriber& subscriber);

  // A snapshot of the channel's subscribers on this node; empty list when nobody listens.
  std::shared_ptr<const SubscriberList> subscribers(std::string_view channel) const;
  // Whether a connection on this node listens on `channel`.
  bool occupied(std::string_view channel) const;

  // For the HTTP API, over the cluster: occupied channels whose name starts with
  // `prefix`, sorted.
  std::vector<ChannelInfo> channels(std::string_view prefix) const;
  std::optional<ChannelInfo> channel(std::string_view name) const;
  // Presence user ids over the cluster, sorted.
  std::vector<std::string> users(std::string_view channel) const;
  // Presence: who `subscriber` is in `channel`; empty when not a member.
  std::string member_id(std::string_view channel, const Subscriber& subscriber) const;

  // This node's channels and subscriptions (/metrics: a sum over nodes counts each once).
  std::size_t channel_count() const;
  std::size_t subscription_count() const;

  // ---- the cluster (ws/pusher_cluster.hpp) ----
  // This node's side of `channel`, as the other nodes are told of it.
  NodeChannelState local_state(std::string_view channel) const;
  std::vector<NodeChannelState> local_states() const;
  // A presence member to announce to this node's subscribers: one that joined or left
  // the channel as a whole (it was not, or is no longer, present on any node).
  // (user_info set: member_added; empty: member_removed.)
  using MemberChange = RemoteMemberChange;
  // What another node reports: one channel's state, all of its channels, or that it is gone.
  std::vector<MemberChange> set_remote(const std::string& node, NodeChannelState state);
  std::vector<MemberChange> replace_remote(const std::string& node, std::vector<NodeChannelState> states);
  std::vector<MemberChange> drop_remote(const std::string& node);
  // Forgets everything (server shutdown: drops the subscriber references).
  void clear();

 private:
  struct Member {
    std::string user_info;  // serialised JSON
    std::size_t connections = 0;
  };
  struct Presence {
    std::map<std::string, Member, std::less<>> members;            // by user_id
    std::unordered_map<const Subscriber*, std::string> member_of;  // connection -> user_id
  };
  struct Channel {
    std::shared_ptr<const SubscriberList> subscribers;  // null until the first subscribe
    // Presence channels only: a public or private channel (one per connection for
    // genq's job events) carries a pointer, not two empty maps (~100 bytes).
    std::unique_ptr<Presence> presence;
  };
  // Requires: mutex_ held (all four).
  std::string presence_document(const std::string& name, const Channel& channel) const;
  ChannelInfo info(const std::string& name, const Channel* channel) const;
  bool present_remotely(std::string_view channel, std::string_view user_id) const;
  // Keeps the changes that are news to this node's subscribers.
  std::vector<MemberChange> local_news(std::vector<RemoteMemberChange> changes) const;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Channel> channels_;  // GUARDED_BY(mutex_); only occupied channels
  std::size_t subscriptions_ = 0;                       // GUARDED_BY(mutex_)
  RemoteChannels remote_;                               // GUARDED_BY(mutex_)
};

}  // namespace genq::ws
