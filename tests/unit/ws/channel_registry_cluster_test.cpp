// ChannelRegistry with other nodes' channels (RemoteChannels): presence and the HTTP
// API's answers span the cluster, a user on two nodes counts once, and a node's
// disappearance removes exactly the members nobody else still has.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "genq/ws/channel_registry.hpp"
#include "genq/ws/cluster_messages.hpp"

namespace genq::ws {
namespace {

class ClusterTestSubscriber final : public Subscriber {
 public:
  explicit ClusterTestSubscriber(std::string id) : id_(std::move(id)) {}
  const std::string& socket_id() const override { return id_; }
  void deliver(const FramePtr& frame) override { received.push_back(frame->text); }
  std::vector<std::string> received;

 private:
  std::string id_;
};

std::shared_ptr<ClusterTestSubscriber> cluster_subscriber(std::string id) { return std::make_shared<ClusterTestSubscriber>(std::move(id)); }

NodeChannelState node_state(std::string channel, std::size_t subscriptions,
                        std::map<std::string, std::string, std::less<>> members = {}) {
  return {std::move(channel), subscriptions, std::move(members)};
}

std::vector<std::string> describe_changes(const std::vector<ChannelRegistry::MemberChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back((c.user_info ? "+" : "-") + c.channel + ":" + c.user_id);
  return out;
}

TEST(ChannelRegistryCluster, PresenceDocumentAndCountsIncludeOtherNodesMembers) {
  ChannelRegistry registry;
  registry.set_remote("n2", node_state("presence-room", 1, {{"bob", R"({"name":"bob"})"}}));
  auto alice = cluster_subscriber("1.1");
  auto outcome = registry.subscribe("presence-room", alice, PresenceMember{"alice", R"({"name":"alice"})"}, 100);
  EXPECT_TRUE(outcome.member_added);
  auto doc = boost::json::parse(outcome.presence_data).as_object().at("presence").as_object();
  EXPECT_EQ(doc.at("count").as_int64(), 2);
  EXPECT_EQ(boost::json::serialize(doc.at("ids")), R"(["alice","bob"])");
  EXPECT_EQ(doc.at("hash").as_object().at("bob").as_object().at("name").as_string(), "bob");

  auto info = registry.channel("presence-room");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->subscription_count, 2u);
  EXPECT_EQ(info->user_count, 2u);
  EXPECT_EQ(registry.users("presence-room"), (std::vector<std::string>{"alice", "bob"}));
  // Delivery and /metrics stay this node's own.
  EXPECT_EQ(registry.subscribers("presence-room")->size(), 1u);
  EXPECT_EQ(registry.subscription_count(), 1u);
}

TEST(ChannelRegistryCluster, AUserOnTwoNodesJoinsOnceAndLeavesWithItsLastConnection) {
  ChannelRegistry registry;
  auto watcher = cluster_subscriber("1.1");
  registry.subscribe("presence-room", watcher, PresenceMember{"watcher", "{}"}, 100);

  // carol on node 2: news here.
  EXPECT_EQ(describe_changes(registry.set_remote("n2", node_state("presence-room", 1, {{"carol", "{}"}}))),
            (std::vector<std::string>{"+presence-room:carol"}));
  // carol on node 3 as well: not news.
  EXPECT_TRUE(registry.set_remote("n3", node_state("presence-room", 1, {{"carol", "{}"}})).empty());
  EXPECT_EQ(registry.channel("presence-room")->user_count, 2u);
  EXPECT_EQ(registry.channel("presence-room")->subscription_count, 3u);
  // carol also connects here: nobody is told, and leaving here is not leaving.
  auto carol = cluster_subscriber("1.2");
  EXPECT_FALSE(registry.subscribe("presence-room", carol, PresenceMember{"carol", "{}"}, 100).member_added);
  EXPECT_FALSE(registry.unsubscribe("presence-room", *carol).member_removed);
  // Node 2 leaves the channel: carol is still on node 3.
  EXPECT_TRUE(registry.set_remote("n2", node_state("presence-room", 0)).empty());
  // Node 3 dies: now she is gone.
  EXPECT_EQ(describe_changes(registry.drop_remote("n3")), (std::vector<std::string>{"-presence-room:carol"}));
  EXPECT_EQ(registry.users("presence-room"), (std::vector<std::string>{"watcher"}));
  EXPECT_EQ(registry.channel("presence-room")->subscription_count, 1u);
}

TEST(ChannelRegistryCluster, ALocalLeaveIsNotAnnouncedWhileAnotherNodeHasTheUser) {
  ChannelRegistry registry;
  auto dave = cluster_subscriber("1.1");
  EXPECT_TRUE(registry.subscribe("presence-room", dave, PresenceMember{"dave", "{}"}, 100).member_added);
  EXPECT_TRUE(registry.set_remote("n2", node_state("presence-room", 1, {{"dave", "{}"}})).empty()) << "dave is here";
  EXPECT_FALSE(registry.unsubscribe("presence-room", *dave).member_removed);
  EXPECT_EQ(registry.users("presence-room"), (std::vector<std::string>{"dave"}));
}

TEST(ChannelRegistryCluster, TheMemberLimitCountsEveryNode) {
  ChannelRegistry registry;
  registry.set_remote("n2", node_state("presence-room", 2, {{"a", "{}"}, {"b", "{}"}}));
  EXPECT_EQ(registry.subscribe("presence-room", cluster_subscriber("1.1"), PresenceMember{"c", "{}"}, 2).joined,
            ChannelRegistry::Joined::MemberLimitReached);
  EXPECT_EQ(registry.subscribe("presence-room", cluster_subscriber("1.2"), PresenceMember{"a", "{}"}, 2).joined,
            ChannelRegistry::Joined::Subscribed)
      << "a member already present elsewhere may connect here too";
}

TEST(ChannelRegistryCluster, ChannelListingMergesNodesAndAFullStateReplacesANodesChannels) {
  ChannelRegistry registry;
  registry.subscribe("orders", cluster_subscriber("1.1"), std::nullopt, 100);
  registry.set_remote("n2", node_state("orders", 2));
  registry.set_remote("n2", node_state("private-x", 1));
  auto listed = registry.channels("");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].name, "orders");
  EXPECT_EQ(listed[0].subscription_count, 3u);
  EXPECT_EQ(listed[1].name, "private-x");
  EXPECT_FALSE(registry.occupied("private-x")) << "occupied() is for local delivery";
  EXPECT_TRUE(registry.channel("private-x"));

  registry.replace_remote("n2", {node_state("private-y", 4)});
  listed = registry.channels("private-");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, "private-y");
  EXPECT_EQ(registry.channel("orders")->subscription_count, 1u);
  EXPECT_FALSE(registry.channel("private-x"));
}

TEST(ChannelRegistryCluster, AFullStateKeepsMembersThatStayWithoutAnnouncingThem) {
  ChannelRegistry registry;
  registry.subscribe("presence-room", cluster_subscriber("1.1"), PresenceMember{"me", "{}"}, 100);
  registry.set_remote("n2", node_state("presence-room", 2, {{"x", "{}"}, {"y", "{}"}}));
  EXPECT_EQ(describe_changes(registry.replace_remote("n2", {node_state("presence-room", 1, {{"y", "{}"}, {"z", "{}"}})})),
            (std::vector<std::string>{"-presence-room:x", "+presence-room:z"}));
}

TEST(ChannelRegistryCluster, LocalStateIsWhatOtherNodesAreTold) {
  ChannelRegistry registry;
  auto a = cluster_subscriber("1.1"), b = cluster_subscriber("1.2");
  registry.subscribe("presence-room", a, PresenceMember{"u", R"({"k":1})"}, 100);
  registry.subscribe("presence-room", b, PresenceMember{"u", R"({"k":1})"}, 100);
  registry.set_remote("n2", node_state("presence-room", 1, {{"v", "{}"}}));
  auto state = registry.local_state("presence-room");
  EXPECT_EQ(state.subscriptions, 2u);
  EXPECT_EQ(state.members.size(), 1u) << "only this node's members";
  EXPECT_EQ(state.members.at("u"), R"({"k":1})");
  EXPECT_EQ(registry.local_state("nothing").subscriptions, 0u);
  EXPECT_EQ(registry.local_states().size(), 1u);
}

TEST(ClusterMessages, RoundTrip) {
  auto state = node_state("presence-room", 3, {{"u1", R"({"name":"x \"q\""})"}});
  auto decoded = decode_cluster_message(encode_channel_state(state));
  ASSERT_TRUE(decoded);
  const auto& got = std::get<ChannelStateMessage>(*decoded).state;
  EXPECT_EQ(got.channel, "presence-room");
  EXPECT_EQ(got.subscriptions, 3u);
  EXPECT_EQ(got.members, state.members);

  auto part = decode_cluster_message(encode_full_state_part({state, node_state("orders", 1)}, true));
  ASSERT_TRUE(part);
  EXPECT_TRUE(std::get<FullStatePart>(*part).last);
  EXPECT_EQ(std::get<FullStatePart>(*part).states.size(), 2u);

  auto frame = decode_cluster_message(encode_relayed_frame("orders", "1.2", R"({"event":"e"})"));
  ASSERT_TRUE(frame);
  EXPECT_EQ(std::get<RelayedFrame>(*frame).frame, R"({"event":"e"})");
  EXPECT_EQ(std::get<RelayedFrame>(*frame).except, "1.2");

  EXPECT_FALSE(decode_cluster_message("not json"));
  EXPECT_FALSE(decode_cluster_message(R"({"t":"zz"})"));
}

}  // namespace
}  // namespace genq::ws
