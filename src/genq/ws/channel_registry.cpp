#include "genq/ws/channel_registry.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <set>

namespace genq::ws {
namespace {

bool contains(const SubscriberList& list, const Subscriber* subscriber) {
  return std::any_of(list.begin(), list.end(), [&](const SubscriberPtr& s) { return s.get() == subscriber; });
}

}  // namespace

ChannelRegistry::SubscribeOutcome ChannelRegistry::subscribe(std::string_view channel_name,
                                                             const SubscriberPtr& subscriber,
                                                             const std::optional<PresenceMember>& member,
                                                             std::size_t max_members) {
  SubscribeOutcome outcome;
  std::lock_guard lock(mutex_);
  std::string name(channel_name);
  auto it = channels_.find(name);
  if (it != channels_.end() && contains(*it->second.subscribers, subscriber.get())) {
    outcome.joined = Joined::AlreadySubscribed;
    if (member) outcome.presence_data = presence_document(name, it->second);
    return outcome;
  }
  if (member) {
    const bool local_member =
        it != channels_.end() && it->second.presence && it->second.presence->members.contains(member->user_id);
    if (!local_member && !present_remotely(name, member->user_id) &&
        info(name, it == channels_.end() ? nullptr : &it->second).user_count >= max_members) {
      outcome.joined = Joined::MemberLimitReached;
      return outcome;
    }
  }
  if (it == channels_.end()) it = channels_.emplace(name, Channel{}).first;
  Channel& channel = it->second;
  auto list = std::make_shared<SubscriberList>();
  if (channel.subscribers) {
    list->reserve(channel.subscribers->size() + 1);
    *list = *channel.subscribers;
  }
  list->push_back(subscriber);
  channel.subscribers = std::move(list);
  ++subscriptions_;
  if (member) {
    if (!channel.presence) channel.presence = std::make_unique<Presence>();
    auto [m, added] = channel.presence->members.try_emplace(member->user_id, Member{member->user_info, 0});
    ++m->second.connections;
    if (added) {
      outcome.member_added = !present_remotely(name, member->user_id);
    } else {
      m->second.user_info = member->user_info;  // the newest connection's info wins
    }
    channel.presence->member_of[subscriber.get()] = member->user_id;
    outcome.presence_data = presence_document(name, channel);
  }
  return outcome;
}

ChannelRegistry::UnsubscribeOutcome ChannelRegistry::unsubscribe(std::string_view channel_name,
                                                                 const Subscriber& subscriber) {
  UnsubscribeOutcome outcome;
  std::lock_guard lock(mutex_);
  auto it = channels_.find(std::string(channel_name));
  if (it == channels_.end()) return outcome;
  Channel& channel = it->second;
  const auto& current = *channel.subscribers;
  if (!contains(current, &subscriber)) return outcome;
  auto list = std::make_shared<SubscriberList>();
  list->reserve(current.size() - 1);
  for (const auto& s : current) {
    if (s.get() != &subscriber) list->push_back(s);
  }
  channel.subscribers = std::move(list);
  --subscriptions_;
  outcome.was_subscribed = true;
  if (Presence* presence = channel.presence.get()) {
    if (auto m = presence->member_of.find(&subscriber); m != presence->member_of.end()) {
      auto member = presence->members.find(m->second);
      if (member != presence->members.end() && --member->second.connections == 0) {
        if (!present_remotely(channel_name, member->first)) outcome.member_removed = member->first;
        presence->members.erase(member);
      }
      presence->member_of.erase(m);
    }
  }
  if (channel.subscribers->empty()) channels_.erase(it);
  return outcome;
}

std::shared_ptr<const SubscriberList> ChannelRegistry::subscribers(std::string_view channel) const {
  static const auto kNone = std::make_shared<const SubscriberList>();
  std::lock_guard lock(mutex_);
  auto it = channels_.find(std::string(channel));
  return it == channels_.end() ? kNone : it->second.subscribers;
}

bool ChannelRegistry::occupied(std::string_view channel) const {
  std::lock_guard lock(mutex_);
  return channels_.contains(std::string(channel));
}

ChannelInfo ChannelRegistry::info(const std::string& name, const Channel* channel) const {
  ChannelInfo out{name, remote_.subscriptions(name), 0};
  const Presence* presence = channel ? channel->presence.get() : nullptr;
  const RemoteChannels::Members* remote = remote_.members(name);
  if (channel) out.subscription_count += channel->subscribers->size();
  if (presence) out.user_count = presence->members.size();
  if (remote) {
    for (const auto& [id, member] : *remote) {
      if (!presence || !presence->members.contains(id)) ++out.user_count;
    }
  }
  return out;
}

bool ChannelRegistry::present_remotely(std::string_view channel, std::string_view user_id) const {
  const RemoteChannels::Members* remote = remote_.members(channel);
  return remote && remote->contains(user_id);
}

std::vector<ChannelInfo> ChannelRegistry::channels(std::string_view prefix) const {
  std::vector<ChannelInfo> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, channel] : channels_) {
      if (name.starts_with(prefix)) out.push_back(info(name, &channel));
    }
    remote_.for_each_channel([&](const std::string& name, std::size_t) {
      if (name.starts_with(prefix) && !channels_.contains(name)) out.push_back(info(name, nullptr));
    });
  }
  std::sort(out.begin(), out.end(), [](const ChannelInfo& a, const ChannelInfo& b) { return a.name < b.name; });
  return out;
}

std::optional<ChannelInfo> ChannelRegistry::channel(std::string_view name) const {
  std::lock_guard lock(mutex_);
  std::string key(name);
  auto it = channels_.find(key);
  if (it == channels_.end() && remote_.subscriptions(key) == 0) return std::nullopt;
  return info(key, it == channels_.end() ? nullptr : &it->second);
}

std::vector<std::string> ChannelRegistry::users(std::string_view channel) const {
  std::set<std::string> out;
  std::lock_guard lock(mutex_);
  auto it = channels_.find(std::string(channel));
  if (it != channels_.end() && it->second.presence) {
    for (const auto& [id, member] : it->second.presence->members) out.insert(id);
  }
  if (const auto* remote = remote_.members(channel)) {
    for (const auto& [id, member] : *remote) out.insert(id);
  }
  return {out.begin(), out.end()};
}

std::string ChannelRegistry::member_id(std::string_view channel, const Subscriber& subscriber) const {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(std::string(channel));
  if (it == channels_.end() || !it->second.presence) return {};
  const auto& member_of = it->second.presence->member_of;
  auto m = member_of.find(&subscriber);
  return m == member_of.end() ? std::string() : m->second;
}

std::size_t ChannelRegistry::channel_count() const {
  std::lock_guard lock(mutex_);
  return channels_.size();
}

std::size_t ChannelRegistry::subscription_count() const {
  std::lock_guard lock(mutex_);
  return subscriptions_;
}

void ChannelRegistry::clear() {
  std::unordered_map<std::string, Channel> dropped;
  {
    std::lock_guard lock(mutex_);
    dropped.swap(channels_);
    subscriptions_ = 0;
    remote_ = RemoteChannels();
  }
  // `dropped` is destroyed here, outside the lock: the last reference to a session
  // runs its destructor.
}

std::string ChannelRegistry::presence_document(const std::string& name, const Channel& channel) const {
  // Local members first (their info is the freshest here), then the other nodes'.
  std::map<std::string_view, std::string_view> members;
  if (channel.presence) {
    for (const auto& [id, member] : channel.presence->members) members.emplace(id, member.user_info);
  }
  if (const auto* remote = remote_.members(name)) {
    for (const auto& [id, member] : *remote) members.emplace(id, member.user_info);
  }
  boost::json::array ids;
  boost::json::object hash;
  for (const auto& [id, user_info] : members) {
    ids.emplace_back(id);
    boost::system::error_code ec;
    auto info_value = boost::json::parse(user_info, ec);
    hash[id] = ec ? boost::json::value(nullptr) : std::move(info_value);
  }
  boost::json::object presence{{"ids", std::move(ids)},
                               {"hash", std::move(hash)},
                               {"count", static_cast<std::int64_t>(members.size())}};
  return boost::json::serialize(boost::json::object{{"presence", std::move(presence)}});
}

NodeChannelState ChannelRegistry::local_state(std::string_view channel) const {
  NodeChannelState out;
  out.channel = std::string(channel);
  std::lock_guard lock(mutex_);
  auto it = channels_.find(out.channel);
  if (it == channels_.end()) return out;
  out.subscriptions = it->second.subscribers->size();
  if (it->second.presence) {
    for (const auto& [id, member] : it->second.presence->members) out.members.emplace(id, member.user_info);
  }
  return out;
}

std::vector<NodeChannelState> ChannelRegistry::local_states() const {
  std::vector<NodeChannelState> out;
  std::lock_guard lock(mutex_);
  out.reserve(channels_.size());
  for (const auto& [name, channel] : channels_) {
    NodeChannelState state{name, channel.subscribers->size(), {}};
    if (channel.presence) {
      for (const auto& [id, member] : channel.presence->members) state.members.emplace(id, member.user_info);
    }
    out.push_back(std::move(state));
  }
  return out;
}

std::vector<ChannelRegistry::MemberChange> ChannelRegistry::local_news(std::vector<RemoteMemberChange> changes) const {
  std::erase_if(changes, [this](const RemoteMemberChange& change) {
    auto it = channels_.find(change.channel);
    // Nobody here to tell, or the user is connected here too (no change for the channel).
    if (it == channels_.end()) return true;
    return it->second.presence && it->second.presence->members.contains(change.user_id);
  });
  return changes;
}

std::vector<ChannelRegistry::MemberChange> ChannelRegistry::set_remote(const std::string& node,
                                                                       NodeChannelState state) {
  std::vector<RemoteMemberChange> changes;
  std::lock_guard lock(mutex_);
  remote_.set(node, std::move(state), changes);
  return local_news(std::move(changes));
}

std::vector<ChannelRegistry::MemberChange> ChannelRegistry::replace_remote(const std::string& node,
                                                                           std::vector<NodeChannelState> states) {
  std::vector<RemoteMemberChange> changes;
  std::lock_guard lock(mutex_);
  remote_.replace_node(node, std::move(states), changes);
  return local_news(std::move(changes));
}

std::vector<ChannelRegistry::MemberChange> ChannelRegistry::drop_remote(const std::string& node) {
  std::vector<RemoteMemberChange> changes;
  std::lock_guard lock(mutex_);
  remote_.drop_node(node, changes);
  return local_news(std::move(changes));
}

}  // namespace genq::ws
