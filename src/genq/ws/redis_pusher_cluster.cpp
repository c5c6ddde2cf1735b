#include "genq/ws/redis_pusher_cluster.hpp"

#include <spdlog/spdlog.h>

#include "genq/ws/cluster_messages.hpp"
#include "genq/ws/pusher_server.hpp"

namespace genq::ws {
namespace {

// Channels per part of a full state: keeps one message well under Redis' pub/sub
// output buffer limits (a presence channel may carry 100 members' info).
constexpr std::size_t kChannelsPerPart = 500;

}  // namespace

RedisPusherCluster::RedisPusherCluster(PusherServer& server, bus::RedisNodeLinkOptions options) : server_(server) {
  bus::NodeLinkHandlers handlers;
  handlers.message = [this](const std::string& origin, bus::NodeLinkHandlers::Kind kind, std::string_view body) {
    on_message(origin, kind, body);
  };
  handlers.node_lost = [this](const std::string& origin) { on_node_lost(origin); };
  handlers.resync_wanted = [this] {
    std::lock_guard lock(mutex_);
    full_state_wanted_ = true;
  };
  handlers.collect = [this] { return collect(); };
  link_ = std::make_unique<bus::RedisNodeLink>(std::move(options), std::move(handlers));
}

RedisPusherCluster::~RedisPusherCluster() { stop(); }

void RedisPusherCluster::start() { link_->start(); }

void RedisPusherCluster::stop() { link_->stop(); }

void RedisPusherCluster::channel_changed(std::string_view channel) {
  {
    std::lock_guard lock(mutex_);
    changed_.emplace(channel);
  }
  link_->poke();
}

void RedisPusherCluster::relay(std::string_view channel, const std::string& frame_text, std::string_view except) {
  link_->send(encode_relayed_frame(channel, except, frame_text));
}

std::vector<bus::NodeState> RedisPusherCluster::collect() {
  std::unordered_set<std::string> changed;
  bool full = false;
  {
    std::lock_guard lock(mutex_);
    changed.swap(changed_);
    full = std::exchange(full_state_wanted_, false);
  }
  std::vector<bus::NodeState> out;
  if (full) {
    // Read after the marks were taken: it covers every change marked so far.
    auto states = server_.registry().local_states();
    std::size_t start = 0;
    do {
      const std::size_t end = std::min(states.size(), start + kChannelsPerPart);
      std::vector<NodeChannelState> part(std::make_move_iterator(states.begin() + static_cast<std::ptrdiff_t>(start)),
                                         std::make_move_iterator(states.begin() + static_cast<std::ptrdiff_t>(end)));
      out.push_back({start == 0, encode_full_state_part(part, end == states.size())});
      start = end;
    } while (start < states.size());
    return out;
  }
  out.reserve(changed.size());
  for (const auto& channel : changed) {
    out.push_back({false, encode_channel_state(server_.registry().local_state(channel))});
  }
  return out;
}

void RedisPusherCluster::on_message(const std::string& origin, bus::NodeLinkHandlers::Kind kind,
                                    std::string_view body) {
  auto message = decode_cluster_message(body);
  if (!message) {
    spdlog::debug("pusher cluster: ignored a message from node {} that is not understood", origin);
    return;
  }
  if (auto* frame = std::get_if<RelayedFrame>(&*message)) {
    server_.broadcast(frame->channel, make_frame(std::move(frame->frame)), frame->except);
    return;
  }
  if (auto* state = std::get_if<ChannelStateMessage>(&*message)) {
    server_.announce(server_.registry().set_remote(origin, std::move(state->state)));
    return;
  }
  auto& part = std::get<FullStatePart>(*message);
  auto it = incoming_.find(origin);
  if (kind == bus::NodeLinkHandlers::Kind::Reset) {
    it = incoming_.insert_or_assign(origin, std::vector<NodeChannelState>{}).first;
  } else if (it == incoming_.end()) {
    return;  // a part whose start was lost: the link has asked for the whole again
  }
  auto& states = it->second;
  states.insert(states.end(), std::make_move_iterator(part.states.begin()),
                std::make_move_iterator(part.states.end()));
  if (!part.last) return;
  auto complete = std::move(states);
  incoming_.erase(it);
  server_.announce(server_.registry().replace_remote(origin, std::move(complete)));
}

void RedisPusherCluster::on_node_lost(const std::string& origin) {
  incoming_.erase(origin);
  server_.announce(server_.registry().drop_remote(origin));
}

}  // namespace genq::ws
