// Two `genq serve` nodes on one PostgreSQL database and one Redis (--store, --bus)
// serve one Pusher app: presence members, the HTTP API's channel queries, triggered
// events and client events span both, and a node killed with SIGKILL leaves no ghost
// members: the other node removes them once it has not heard it for the node timeout.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "genq/ws/api_signature.hpp"
#include "genq/ws/channel_auth.hpp"
#include "integration/genq_test.hpp"
#include "support/postgres_server.hpp"
#include "support/pusher_test_client.hpp"
#include "support/redis_server.hpp"

namespace genq::testing {
namespace {

constexpr const char* kClusterAppId = "777001";
constexpr const char* kClusterKey = "cluster-test-key";
constexpr const char* kClusterSecret = "cluster-test-secret";
constexpr auto kNodeTimeout = 2000ms;

std::uint16_t port_of(const GenqServer& server) {
  return static_cast<std::uint16_t>(std::stoi(server.base_url().substr(server.base_url().rfind(':') + 1)));
}

class PusherClusterServe : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      dsn_ = PostgresServer::shared().create_database();
    } catch (const std::exception& e) {
      FAIL() << "no PostgreSQL for the cluster tests: " << e.what();
    }
    redis_ = std::make_unique<RedisServer>();
    for (int i = 0; i < 2; ++i) {
      nodes_.push_back(std::make_unique<GenqServer>(server_options(
          {"--store", dsn_, "--bus", redis_->url(), "--pusher-app-id", kClusterAppId, "--pusher-key", kClusterKey,
           "--pusher-secret", kClusterSecret, "--pusher-client-events", "--pusher-node-timeout-ms",
           std::to_string(kNodeTimeout.count())})));
    }
    // Each node has heard the other before a test begins.
    for (auto& node : nodes_) {
      ASSERT_TRUE(wait_until(20s, [&] {
        return node->http().get("/metrics").body.find("genq_ws_cluster_nodes 2") != std::string::npos;
      })) << node->http().get("/metrics").body;
    }
  }

  void TearDown() override {
    if (!HasFailure()) return;
    for (auto& node : nodes_) {
      if (node) std::cerr << "---- node log ----\n" << node->logs() << "\n";
    }
  }

  // A client of node `i` joined to presence-room as `user`.
  std::unique_ptr<PusherTestClient> member(std::size_t i, const std::string& user) {
    auto client = std::make_unique<PusherTestClient>(port_of(*nodes_[i]), kClusterKey);
    const std::string data =
        boost::json::serialize(boost::json::object{{"user_id", user}, {"user_info", {{"name", user}}}});
    client->subscribe("presence-room", ws::sign_channel(kClusterKey, kClusterSecret, client->socket_id(),
                                                        "presence-room", data),
                      data);
    return client;
  }

  // A signed Pusher HTTP API request to node `i`.
  HttpResponse api(std::size_t i, const std::string& method, const std::string& path, const std::string& query = {},
                   const std::string& body = {}) {
    const std::string full = "/apps/" + std::string(kClusterAppId) + path;
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    const std::string signed_query =
        ws::sign_api_request(method, full, query, body, {kClusterKey, kClusterSecret}, now);
    return nodes_[i]->http().request(method, full + "?" + signed_query, body, body.empty() ? "" : "application/json");
  }

  std::string dsn_;
  std::unique_ptr<RedisServer> redis_;
  std::vector<std::unique_ptr<GenqServer>> nodes_;
};

bool has_member(const boost::json::object& message, const std::string& event, const std::string& user) {
  const auto* e = message.if_contains("event");
  const auto* data = message.if_contains("data");
  return e && e->is_string() && e->as_string() == event && data && data->is_object() &&
         data->as_object().if_contains("user_id") && data->as_object().at("user_id") == boost::json::value(user);
}

TEST_F(PusherClusterServe, PresenceMembersQueriesAndEventsAreTheSameOnEveryNode) {
  auto alice = member(0, "alice");
  ASSERT_TRUE(alice->wait_for_event(10s, "pusher_internal:subscription_succeeded", "presence-room"));
  auto bob = member(1, "bob");
  auto joined = bob->wait_for_event(10s, "pusher_internal:subscription_succeeded", "presence-room");
  ASSERT_TRUE(joined);
  const auto& presence = joined->at("data").as_object().at("presence").as_object();
  EXPECT_EQ(presence.at("count").as_int64(), 2) << boost::json::serialize(*joined);
  EXPECT_EQ(boost::json::serialize(presence.at("ids")), R"(["alice","bob"])");
  EXPECT_TRUE(alice->wait_for(10s, [](const auto& m) { return has_member(m, "pusher_internal:member_added", "bob"); }))
      << "alice (node 1) hears bob join on node 2";

  // bob a second time, on node 1: counted once, nobody told.
  auto bob_again = member(0, "bob");
  auto again = bob_again->wait_for_event(10s, "pusher_internal:subscription_succeeded", "presence-room");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->at("data").as_object().at("presence").as_object().at("count").as_int64(), 2);

  // The HTTP API: the same answers from both nodes.
  for (std::size_t i = 0; i < 2; ++i) {
    ASSERT_TRUE(wait_until(10s, [&] {
      return api(i, "GET", "/channels/presence-room", "info=user_count,subscription_count").body ==
             R"({"occupied":true,"user_count":2,"subscription_count":3})";
    })) << "node " << i + 1 << ": " << api(i, "GET", "/channels/presence-room", "info=user_count,subscription_count").body;
    EXPECT_EQ(api(i, "GET", "/channels/presence-room/users").body, R"({"users":[{"id":"alice"},{"id":"bob"}]})");
    EXPECT_EQ(api(i, "GET", "/channels", "filter_by_prefix=presence-&info=user_count").body,
              R"({"channels":{"presence-room":{"user_count":2}}})");
  }

  // A client event from node 2 reaches node 1's members, never its sender.
  bob->send("client-typing", "presence-room", boost::json::object{{"typing", true}});
  auto typing = alice->wait_for_event(10s, "client-typing", "presence-room");
  ASSERT_TRUE(typing) << "the client event crossed nodes";
  EXPECT_EQ(typing->at("user_id"), boost::json::value("bob"));
  EXPECT_TRUE(bob_again->wait_for_event(10s, "client-typing"));
  // An event triggered on node 1's HTTP API reaches node 2.
  const auto triggered = api(0, "POST", "/events", {}, R"({"name":"news","channel":"presence-room","data":"{\"n\":1}"})");
  EXPECT_EQ(triggered.status, 200) << triggered.body;
  EXPECT_TRUE(bob->wait_for_event(10s, "news", "presence-room")) << "the triggered event crossed nodes";
  EXPECT_FALSE(bob->wait_for_event(0ms, "client-typing")) << "the sender does not get its own client event";

  // alice leaves: both of bob's connections hear it.
  alice->close();
  EXPECT_TRUE(bob->wait_for(10s, [](const auto& m) { return has_member(m, "pusher_internal:member_removed", "alice"); }));
  EXPECT_TRUE(wait_until(10s, [&] { return api(1, "GET", "/channels/presence-room/users").body == R"({"users":[{"id":"bob"}]})"; }));
}

TEST_F(PusherClusterServe, AKilledNodesMembersAreRemovedWithinTheNodeTimeout) {
  auto alice = member(0, "alice");
  ASSERT_TRUE(alice->wait_for_event(10s, "pusher_internal:subscription_succeeded", "presence-room"));
  auto carol = member(1, "carol");
  ASSERT_TRUE(alice->wait_for(10s, [](const auto& m) { return has_member(m, "pusher_internal:member_added", "carol"); }));

  const auto killed_at = std::chrono::steady_clock::now();
  nodes_[1]->kill9();
  EXPECT_TRUE(alice->wait_for(kNodeTimeout + 5s, [](const auto& m) {
    return has_member(m, "pusher_internal:member_removed", "carol");
  })) << "no ghost member after the node died";
  EXPECT_GE(std::chrono::steady_clock::now() - killed_at, kNodeTimeout - 750ms) << "not before the node timeout (less a heartbeat)";
  EXPECT_EQ(api(0, "GET", "/channels/presence-room/users").body, R"({"users":[{"id":"alice"}]})");
  EXPECT_EQ(api(0, "GET", "/channels/presence-room", "info=subscription_count").body,
            R"({"occupied":true,"subscription_count":1})");
}

}  // namespace
}  // namespace genq::testing
