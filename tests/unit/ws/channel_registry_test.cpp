#include "genq/ws/channel_registry.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace genq::ws {
namespace {

class FakeSubscriber final : public Subscriber {
 public:
  explicit FakeSubscriber(std::string id) : id_(std::move(id)) {}
  const std::string& socket_id() const override { return id_; }
  void deliver(const FramePtr& frame) override { received.push_back(frame->text); }
  std::vector<std::string> received;

 private:
  std::string id_;
};

std::shared_ptr<FakeSubscriber> make(std::string id) { return std::make_shared<FakeSubscriber>(std::move(id)); }

PresenceMember member(std::string id) { return {std::move(id), R"({"name":"n"})"}; }

TEST(ChannelRegistry, SubscribersOfAChannelAreListedUntilTheyLeave) {
  ChannelRegistry registry;
  auto a = make("1.1"), b = make("1.2");
  EXPECT_EQ(registry.subscribe("orders", a, std::nullopt, 100).joined, ChannelRegistry::Joined::Subscribed);
  EXPECT_EQ(registry.subscribe("orders", b, std::nullopt, 100).joined, ChannelRegistry::Joined::Subscribed);
  EXPECT_EQ(registry.subscribers("orders")->size(), 2u);
  EXPECT_TRUE(registry.unsubscribe("orders", *a).was_subscribed);
  EXPECT_FALSE(registry.unsubscribe("orders", *a).was_subscribed);
  ASSERT_EQ(registry.subscribers("orders")->size(), 1u);
  EXPECT_EQ(registry.subscribers("orders")->front().get(), b.get());
  registry.unsubscribe("orders", *b);
  EXPECT_FALSE(registry.occupied("orders"));
  EXPECT_EQ(registry.channel_count(), 0u);
  EXPECT_TRUE(registry.subscribers("orders")->empty());
}

TEST(ChannelRegistry, SubscribingTwiceIsReportedAndCountedOnce) {
  ChannelRegistry registry;
  auto a = make("1.1");
  registry.subscribe("orders", a, std::nullopt, 100);
  EXPECT_EQ(registry.subscribe("orders", a, std::nullopt, 100).joined, ChannelRegistry::Joined::AlreadySubscribed);
  EXPECT_EQ(registry.subscription_count(), 1u);
}

TEST(ChannelRegistry, SnapshotIsUnaffectedByLaterChanges) {
  // A broadcast iterates its snapshot outside the lock while others subscribe.
  ChannelRegistry registry;
  auto a = make("1.1"), b = make("1.2");
  registry.subscribe("orders", a, std::nullopt, 100);
  auto snapshot = registry.subscribers("orders");
  registry.subscribe("orders", b, std::nullopt, 100);
  registry.unsubscribe("orders", *a);
  ASSERT_EQ(snapshot->size(), 1u);
  EXPECT_EQ(snapshot->front().get(), a.get());
}

TEST(ChannelRegistry, PresenceMemberJoinsOnceAcrossConnectionsAndLeavesWithTheLast) {
  ChannelRegistry registry;
  auto phone = make("1.1"), laptop = make("1.2");
  auto first = registry.subscribe("presence-lobby", phone, member("u1"), 100);
  EXPECT_TRUE(first.member_added);
  auto second = registry.subscribe("presence-lobby", laptop, member("u1"), 100);
  EXPECT_FALSE(second.member_added) << "the same user on a second connection is not a new member";
  EXPECT_EQ(registry.channel("presence-lobby")->user_count, 1u);
  EXPECT_EQ(registry.channel("presence-lobby")->subscription_count, 2u);
  EXPECT_FALSE(registry.unsubscribe("presence-lobby", *phone).member_removed);
  auto last = registry.unsubscribe("presence-lobby", *laptop);
  ASSERT_TRUE(last.member_removed);
  EXPECT_EQ(*last.member_removed, "u1");
}

TEST(ChannelRegistry, PresenceDocumentListsEveryMember) {
  ChannelRegistry registry;
  registry.subscribe("presence-lobby", make("1.1"), member("u1"), 100);
  auto outcome = registry.subscribe("presence-lobby", make("1.2"), PresenceMember{"u2", "null"}, 100);
  auto doc = boost::json::parse(outcome.presence_data);
  const auto& presence = doc.at("presence");
  EXPECT_EQ(presence.at("count").as_int64(), 2);
  EXPECT_EQ(presence.at("ids").as_array().size(), 2u);
  EXPECT_EQ(presence.at("hash").at("u1").at("name").as_string(), "n");
  EXPECT_TRUE(presence.at("hash").at("u2").is_null());
  EXPECT_EQ(registry.users("presence-lobby"), (std::vector<std::string>{"u1", "u2"}));
}

TEST(ChannelRegistry, PresenceChannelRefusesNewMembersPastTheLimit) {
  ChannelRegistry registry;
  registry.subscribe("presence-lobby", make("1.1"), member("u1"), 2);
  registry.subscribe("presence-lobby", make("1.2"), member("u2"), 2);
  EXPECT_EQ(registry.subscribe("presence-lobby", make("1.3"), member("u3"), 2).joined,
            ChannelRegistry::Joined::MemberLimitReached);
  // An existing member's further connection is still welcome.
  EXPECT_EQ(registry.subscribe("presence-lobby", make("1.4"), member("u2"), 2).joined,
            ChannelRegistry::Joined::Subscribed);
}

TEST(ChannelRegistry, ChannelsAreListedByPrefixInNameOrder) {
  ChannelRegistry registry;
  auto a = make("1.1");
  registry.subscribe("presence-b", a, member("u1"), 100);
  registry.subscribe("presence-a", a, member("u1"), 100);
  registry.subscribe("orders", a, std::nullopt, 100);
  auto presence = registry.channels("presence-");
  ASSERT_EQ(presence.size(), 2u);
  EXPECT_EQ(presence[0].name, "presence-a");
  EXPECT_EQ(presence[1].name, "presence-b");
  EXPECT_EQ(registry.channels("").size(), 3u);
  EXPECT_FALSE(registry.channel("nobody-here"));
}

TEST(ChannelRegistry, ClearDropsEverySubscriberReference) {
  ChannelRegistry registry;
  auto a = make("1.1");
  registry.subscribe("orders", a, std::nullopt, 100);
  EXPECT_EQ(a.use_count(), 2);
  registry.clear();
  EXPECT_EQ(a.use_count(), 1);
  EXPECT_EQ(registry.subscription_count(), 0u);
}

}  // namespace
}  // namespace genq::ws
