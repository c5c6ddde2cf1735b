#include "genq/ws/channel_registry.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

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
  auto it = channels_.find(std::string(channel_name));
  if (it != channels_.end() && contains(*it->second.subscribers, subscriber.get())) {
    outcome.joined = Joined::AlreadySubscribed;
    if (member) outcome.presence_data = presence_document(it->second);
    return outcome;
  }
  if (member && it != channels_.end() && it->second.presence &&
      !it->second.presence->members.contains(member->user_id) && it->second.presence->members.size() >= max_members) {
    outcome.joined = Joined::MemberLimitReached;
    return outcome;
  }
  if (it == channels_.end()) it = channels_.emplace(std::string(channel_name), Channel{}).first;
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
      outcome.member_added = true;
    } else {
      m->second.user_info = member->user_info;  // the newest connection's info wins
    }
    channel.presence->member_of[subscriber.get()] = member->user_id;
    outcome.presence_data = presence_document(channel);
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
        outcome.member_removed = member->first;
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

ChannelInfo ChannelRegistry::info(const std::string& name, const Channel& channel) {
  return ChannelInfo{name, channel.subscribers->size(), channel.presence ? channel.presence->members.size() : 0};
}

std::vector<ChannelInfo> ChannelRegistry::channels(std::string_view prefix) const {
  std::vector<ChannelInfo> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, channel] : channels_) {
      if (name.starts_with(prefix)) out.push_back(info(name, channel));
    }
  }
  std::sort(out.begin(), out.end(), [](const ChannelInfo& a, const ChannelInfo& b) { return a.name < b.name; });
  return out;
}

std::optional<ChannelInfo> ChannelRegistry::channel(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = channels_.find(std::string(name));
  if (it == channels_.end()) return std::nullopt;
  return info(it->first, it->second);
}

std::vector<std::string> ChannelRegistry::users(std::string_view channel) const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  auto it = channels_.find(std::string(channel));
  if (it == channels_.end()) return out;
  if (!it->second.presence) return out;
  for (const auto& [id, member] : it->second.presence->members) out.push_back(id);
  return out;  // std::map: already sorted
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
  }
  // `dropped` is destroyed here, outside the lock: the last reference to a session
  // runs its destructor.
}

std::string ChannelRegistry::presence_document(const Channel& channel) {
  boost::json::array ids;
  boost::json::object hash;
  static const Presence kNobody;
  const auto& members = (channel.presence ? *channel.presence : kNobody).members;
  for (const auto& [id, member] : members) {
    ids.emplace_back(id);
    boost::system::error_code ec;
    auto info_value = boost::json::parse(member.user_info, ec);
    hash[id] = ec ? boost::json::value(nullptr) : std::move(info_value);
  }
  boost::json::object presence{{"ids", std::move(ids)},
                               {"hash", std::move(hash)},
                               {"count", static_cast<std::int64_t>(members.size())}};
  return boost::json::serialize(boost::json::object{{"presence", std::move(presence)}});
}

}  // namespace genq::ws
