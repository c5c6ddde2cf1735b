#include "genq/ws/remote_channels.hpp"

#include <unordered_set>

namespace genq::ws {

void RemoteChannels::set(const std::string& node, NodeChannelState state, std::vector<RemoteMemberChange>& changes) {
  NodeChannels& held = nodes_[node];
  static const NodeChannelState kNothing;
  auto old_it = held.find(state.channel);
  const NodeChannelState& old = old_it == held.end() ? kNothing : old_it->second;
  const std::string& channel = state.channel;

  Totals& totals = totals_[channel];
  totals.subscriptions = totals.subscriptions - old.subscriptions + state.subscriptions;
  for (const auto& [user_id, info] : old.members) {
    if (state.members.contains(user_id)) continue;
    auto m = totals.members.find(user_id);
    if (m == totals.members.end() || --m->second.nodes > 0) continue;
    totals.members.erase(m);
    changes.push_back({channel, user_id, std::nullopt});
  }
  for (const auto& [user_id, info] : state.members) {
    auto [m, added] = totals.members.try_emplace(user_id, Member{info, 0});
    if (!old.members.contains(user_id)) ++m->second.nodes;
    m->second.user_info = info;
    if (added) changes.push_back({channel, user_id, info});
  }
  if (totals.subscriptions == 0 && totals.members.empty()) totals_.erase(channel);

  if (state.subscriptions == 0 && state.members.empty()) {
    if (old_it != held.end()) held.erase(old_it);
  } else if (old_it != held.end()) {
    old_it->second = std::move(state);
  } else {
    std::string key = state.channel;
    held.emplace(std::move(key), std::move(state));
  }
  if (held.empty()) nodes_.erase(node);
}

void RemoteChannels::replace_node(const std::string& node, std::vector<NodeChannelState> states,
                                  std::vector<RemoteMemberChange>& changes) {
  // Channels the node no longer reports are emptied first; the rest are replaced in
  // place, so a member present before and after is never announced as leaving.
  std::unordered_set<std::string> reported;
  for (const auto& s : states) reported.insert(s.channel);
  std::vector<std::string> gone;
  if (auto it = nodes_.find(node); it != nodes_.end()) {
    for (const auto& [channel, state] : it->second) {
      if (!reported.contains(channel)) gone.push_back(channel);
    }
  }
  for (auto& channel : gone) set(node, NodeChannelState{std::move(channel), 0, {}}, changes);
  for (auto& state : states) set(node, std::move(state), changes);
}

void RemoteChannels::drop_node(const std::string& node, std::vector<RemoteMemberChange>& changes) {
  replace_node(node, {}, changes);
  nodes_.erase(node);
}

std::size_t RemoteChannels::subscriptions(std::string_view channel) const {
  auto it = totals_.find(std::string(channel));
  return it == totals_.end() ? 0 : it->second.subscriptions;
}

const RemoteChannels::Members* RemoteChannels::members(std::string_view channel) const {
  auto it = totals_.find(std::string(channel));
  return it == totals_.end() || it->second.members.empty() ? nullptr : &it->second.members;
}

void RemoteChannels::for_each_channel(
    const std::function<void(const std::string&, std::size_t subscriptions)>& visit) const {
  for (const auto& [name, totals] : totals_) {
    if (totals.subscriptions > 0) visit(name, totals.subscriptions);
  }
}

}  // namespace genq::ws
