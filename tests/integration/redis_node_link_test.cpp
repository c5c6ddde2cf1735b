// RedisNodeLink, two instances in one process standing for two nodes over a real
// redis-server: state messages arrive in order, a gap in a node's numbering makes the
// others ask it for its whole state, and a node that says goodbye or falls silent is
// reported lost.
#include "genq/bus/redis/redis_node_link.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "support/redis_server.hpp"
#include "support/wait.hpp"

namespace genq::bus {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;
using testing::wait_until;

constexpr const char* kLinkChannel = "genq:0:pusher";

// One node: what it has to send, and what it heard.
class LinkNode {
 public:
  LinkNode(const RedisServer& redis, std::string id) {
    RedisNodeLinkOptions options;
    options.endpoint = RedisEndpoint{"127.0.0.1", redis.port(), "", 0};
    options.channel = kLinkChannel;
    options.node_id = std::move(id);
    options.heartbeat = 100ms;
    options.node_timeout = 700ms;
    NodeLinkHandlers handlers;
    handlers.message = [this](const std::string& origin, NodeLinkHandlers::Kind kind, std::string_view body) {
      std::lock_guard lock(mutex_);
      const char* k = kind == NodeLinkHandlers::Kind::Reset ? "S" : kind == NodeLinkHandlers::Kind::State ? "s" : "u";
      heard_.push_back(origin + " " + k + " " + std::string(body));
    };
    handlers.node_lost = [this](const std::string& origin) {
      std::lock_guard lock(mutex_);
      lost_.push_back(origin);
    };
    handlers.resync_wanted = [this] {
      std::lock_guard lock(mutex_);
      ++resyncs_;
      outgoing_.push_back({true, "full"});
    };
    handlers.collect = [this] {
      std::lock_guard lock(mutex_);
      return std::exchange(outgoing_, {});
    };
    link_ = std::make_unique<RedisNodeLink>(std::move(options), std::move(handlers));
  }

  RedisNodeLink& link() { return *link_; }
  void state(std::string body) {
    {
      std::lock_guard lock(mutex_);
      outgoing_.push_back({false, std::move(body)});
    }
    link_->poke();
  }
  bool heard(const std::string& line) const {
    std::lock_guard lock(mutex_);
    return std::find(heard_.begin(), heard_.end(), line) != heard_.end();
  }
  std::vector<std::string> heard_lines() const {
    std::lock_guard lock(mutex_);
    return heard_;
  }
  bool lost(const std::string& node) const {
    std::lock_guard lock(mutex_);
    return std::find(lost_.begin(), lost_.end(), node) != lost_.end();
  }
  int resyncs() const {
    std::lock_guard lock(mutex_);
    return resyncs_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<NodeState> outgoing_;
  std::vector<std::string> heard_, lost_;
  int resyncs_ = 0;
  std::unique_ptr<RedisNodeLink> link_;
};

std::string link_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(RedisNodeLink, StatesArriveInOrderAndAGapAsksTheSenderForItsWholeState) {
  RedisServer redis;
  LinkNode a(redis, "node-a"), b(redis, "node-b");
  a.link().start();
  b.link().start();
  // Each hears the other's heartbeat, does not know its numbering yet, and asks for
  // its whole state: both answer with a reset.
  ASSERT_TRUE(wait_until(10s, [&] { return b.heard("node-a S full") && a.heard("node-b S full"); }))
      << link_lines(b.heard_lines());
  EXPECT_EQ(a.link().peers(), 1u);

  a.state("one");
  a.state("two");
  ASSERT_TRUE(wait_until(5s, [&] { return b.heard("node-a s two"); })) << link_lines(b.heard_lines());
  const auto lines = b.heard_lines();
  EXPECT_LT(std::find(lines.begin(), lines.end(), "node-a s one"), std::find(lines.begin(), lines.end(), "node-a s two"));

  // ...but a heartbeat numbered past what b received (as after a lost message) makes
  // b ask a again.
  // In step, nobody asks again over several heartbeats (no resync storms)...
  const int before = a.resyncs();
  EXPECT_FALSE(wait_until(500ms, [&] { return a.resyncs() > before; })) << "a resync without a gap";
  EXPECT_EQ(redis.command("PUBLISH " + std::string(kLinkChannel) + " \"node-a h 999\""), ":2");
  EXPECT_TRUE(wait_until(5s, [&] { return a.resyncs() > before; })) << "a was not asked for its state";

  // Goodbye: b drops a at once.
  a.link().stop();
  EXPECT_TRUE(wait_until(2s, [&] { return b.lost("node-a"); }));
  b.link().stop();
}

TEST(RedisNodeLink, ANodeThatFallsSilentIsReportedLostAfterTheTimeout) {
  RedisServer redis;
  LinkNode b(redis, "node-b");
  b.link().start();
  ASSERT_TRUE(wait_until(10s, [&] { return b.link().connected(); }));
  // One heartbeat from a node that then dies without a word.
  ASSERT_TRUE(wait_until(5s, [&] {
    return redis.command("PUBLISH " + std::string(kLinkChannel) + " \"ghost h 0\"") == ":1";
  }));
  ASSERT_TRUE(wait_until(2s, [&] { return b.link().peers() == 1; }));
  const auto heard_at = std::chrono::steady_clock::now();
  EXPECT_TRUE(wait_until(5s, [&] { return b.lost("ghost"); }));
  EXPECT_GE(std::chrono::steady_clock::now() - heard_at, 500ms) << "dropped before its timeout";
  EXPECT_EQ(b.link().peers(), 0u);
  b.link().stop();
}

}  // namespace
}  // namespace genq::bus
