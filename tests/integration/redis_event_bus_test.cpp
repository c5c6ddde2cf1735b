// Two RedisEventBus instances in one process stand for two nodes, over a real
// redis-server started by the test (tests/support/redis_server.hpp).
#include "genq/bus/redis/redis_event_bus.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "support/redis_server.hpp"
#include "support/wait.hpp"

namespace genq::bus {
namespace {

using namespace std::chrono_literals;
using testing::RedisServer;
using testing::wait_until;

Job bus_job(const std::string& id, JobStatus status, std::int64_t version, const std::string& client = "c1") {
  Job j;
  j.id = id;
  j.client_id = client;
  j.model = "Flux1schnell";
  j.status = status;
  j.version = version;
  j.preview_jpeg = "JPEG-BYTES";
  return j;
}

// The store every node shares, as far as the loader sees it.
class BusJobStore {
 public:
  void put(const Job& job) {
    std::lock_guard lock(mutex_);
    jobs_[job.id] = job;
  }
  Result<Job> load(const std::string& id) {
    std::lock_guard lock(mutex_);
    ++loads_;
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return fail(Error::not_found("no job"));
    return it->second;
  }
  int loads() const {
    std::lock_guard lock(mutex_);
    return loads_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Job> jobs_;
  int loads_ = 0;
};

// What one node's subscribers heard.
class BusHeard {
 public:
  void summary(const JobSummary& s) {
    std::lock_guard lock(mutex_);
    summaries_.push_back(std::string(s.id) + " " + std::string(to_string(s.status)) + " v" +
                         std::to_string(s.version) + (s.remote ? " remote" : " local"));
  }
  void job(const Job& j) {
    std::lock_guard lock(mutex_);
    jobs_.push_back(j.id + " " + std::string(to_string(j.status)) + " v" + std::to_string(j.version) + " " +
                    j.preview_jpeg);
  }
  std::vector<std::string> summaries() const {
    std::lock_guard lock(mutex_);
    return summaries_;
  }
  std::vector<std::string> jobs() const {
    std::lock_guard lock(mutex_);
    return jobs_;
  }
  bool has_summary(const std::string& line) const {
    auto s = summaries();
    return std::find(s.begin(), s.end(), line) != s.end();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> summaries_, jobs_;
};

struct BusNode {
  BusNode(const RedisServer& redis, BusJobStore& store, const std::string& name, std::function<bool(const JobSummary&)> wanted)
      : bus(make_options(redis, name), [&store](const std::string& id) { return store.load(id); }) {
    bus.subscribe_summaries([this](const JobSummary& s) { heard.summary(s); });
    bus.subscribe_jobs(std::move(wanted), [this](const Job& j) { heard.job(j); });
    bus.start();
  }
  static RedisBusOptions make_options(const RedisServer& redis, const std::string& name) {
    RedisBusOptions o;
    o.endpoint = *parse_redis_url(redis.url());
    o.node_id = name;
    o.ping_interval = 200ms;
    o.max_backoff = 500ms;
    return o;
  }
  BusHeard heard;
  RedisEventBus bus;
};

bool bus_nodes_ready(const BusNode& a, const BusNode& b) { return a.bus.health().ready && b.bus.health().ready; }

// Publishes a probe on `from` until `to` hears it: a SUBSCRIBE confirmed by Redis is
// active, but the publisher may have connected later; this proves the path works.
void prove_bus_path(BusNode& from, BusNode& to, BusJobStore& store, const std::string& probe_id) {
  int version = 0;
  ASSERT_TRUE(wait_until(10s, [&] {
    Job probe = bus_job(probe_id, JobStatus::Pending, ++version);
    store.put(probe);
    from.bus.publish(probe);
    return wait_until(200ms, [&] { return to.heard.has_summary(probe_id + " pending v" + std::to_string(version) + " remote"); });
  })) << "no event from " << from.bus.node_id() << " reached " << to.bus.node_id();
}

TEST(RedisEventBus, AChangeOnOneNodeReachesTheOthersSummarySubscribers) {
  RedisServer redis;
  BusJobStore store;
  BusNode a(redis, store, "node-a", [](const JobSummary&) { return false; });
  BusNode b(redis, store, "node-b", [](const JobSummary&) { return false; });
  ASSERT_TRUE(wait_until(10s, [&] { return bus_nodes_ready(a, b); })) << b.bus.health().detail;
  ASSERT_NO_FATAL_FAILURE(prove_bus_path(a, b, store, "probe"));

  Job job = bus_job("job-1", JobStatus::InProgress, 1);
  job.progress = 37.5;
  store.put(job);
  a.bus.publish(job);
  EXPECT_TRUE(a.heard.has_summary("job-1 in_progress v1 local")) << "local subscribers hear at once";
  ASSERT_TRUE(wait_until(5s, [&] { return b.heard.has_summary("job-1 in_progress v1 remote"); }));
  EXPECT_TRUE(b.heard.jobs().empty()) << "nobody wanted the job";
  EXPECT_EQ(store.loads(), 0) << "no store read for a change nobody wants";
}

TEST(RedisEventBus, AWantedRemoteChangeIsReadFromTheStoreAndDeliveredWhole) {
  RedisServer redis;
  BusJobStore store;
  BusNode a(redis, store, "node-a", [](const JobSummary&) { return false; });
  BusNode b(redis, store, "node-b", [](const JobSummary& s) { return s.client_id == "watched"; });
  ASSERT_TRUE(wait_until(10s, [&] { return bus_nodes_ready(a, b); }));
  ASSERT_NO_FATAL_FAILURE(prove_bus_path(a, b, store, "probe"));

  Job unwatched = bus_job("job-u", JobStatus::Done, 3, "other");
  store.put(unwatched);
  a.bus.publish(unwatched);
  Job watched = bus_job("job-w", JobStatus::Done, 4, "watched");
  store.put(watched);
  a.bus.publish(watched);
  ASSERT_TRUE(wait_until(5s, [&] { return !b.heard.jobs().empty(); })) << "the watched job never arrived whole";
  EXPECT_EQ(b.heard.jobs(), (std::vector<std::string>{"job-w done v4 JPEG-BYTES"})) << "read from the store";
  EXPECT_TRUE(b.heard.has_summary("job-u done v3 remote"));
}

TEST(RedisEventBus, ANodeDoesNotHearItsOwnChangesTwice) {
  RedisServer redis;
  BusJobStore store;
  BusNode a(redis, store, "node-a", [](const JobSummary&) { return true; });
  BusNode b(redis, store, "node-b", [](const JobSummary&) { return false; });
  ASSERT_TRUE(wait_until(10s, [&] { return bus_nodes_ready(a, b); }));
  ASSERT_NO_FATAL_FAILURE(prove_bus_path(a, b, store, "probe"));
  const std::size_t summaries_before = a.heard.summaries().size();
  const std::size_t jobs_before = a.heard.jobs().size();

  Job job = bus_job("job-1", JobStatus::Processing, 0);  // version 0: only the origin check stops a repeat
  store.put(job);
  a.bus.publish(job);
  ASSERT_TRUE(wait_until(5s, [&] { return b.heard.has_summary("job-1 processing v0 remote"); }));
  // Redis delivers in publish order: once a hears b's marker, published after b heard
  // job-1, a's subscriber has also had (and skipped) its own copy of job-1.
  Job marker = bus_job("marker", JobStatus::Pending, 1);
  store.put(marker);
  b.bus.publish(marker);
  ASSERT_TRUE(wait_until(5s, [&] { return a.heard.has_summary("marker pending v1 remote"); }));
  EXPECT_EQ(a.heard.summaries().size(), summaries_before + 2) << "job-1 once (local) and the marker";
  ASSERT_TRUE(wait_until(5s, [&] { return a.heard.jobs().size() >= jobs_before + 2; })) << "the marker, read";
  EXPECT_EQ(a.heard.jobs().size(), jobs_before + 2) << "job-1 once (local) and the marker";
  EXPECT_EQ(a.bus.counters().received, 1u) << "only b's marker counts as received";
}

TEST(RedisEventBus, AnOlderVersionPublishedAfterANewerOneIsDropped) {
  RedisServer redis;
  BusJobStore store;
  BusNode a(redis, store, "node-a", [](const JobSummary&) { return false; });
  BusNode b(redis, store, "node-b", [](const JobSummary&) { return false; });
  BusNode c(redis, store, "node-c", [](const JobSummary&) { return false; });
  ASSERT_TRUE(wait_until(10s, [&] { return bus_nodes_ready(a, b) && c.bus.health().ready; }));
  ASSERT_NO_FATAL_FAILURE(prove_bus_path(a, b, store, "probe-a"));
  ASSERT_NO_FATAL_FAILURE(prove_bus_path(c, b, store, "probe-c"));

  a.bus.publish(bus_job("job-1", JobStatus::Done, 5));
  ASSERT_TRUE(wait_until(5s, [&] { return b.heard.has_summary("job-1 done v5 remote"); }));
  c.bus.publish(bus_job("job-1", JobStatus::InProgress, 4));  // a late node's stale change
  c.bus.publish(bus_job("marker", JobStatus::Pending, 1));
  ASSERT_TRUE(wait_until(5s, [&] { return b.heard.has_summary("marker pending v1 remote"); }));
  for (const auto& line : b.heard.summaries()) {
    EXPECT_NE(line, "job-1 in_progress v4 remote") << "a stale change reached a subscriber";
  }
}

TEST(RedisEventBus, RedisStoppedAndRestartedMidRunIsReportedAndEventsFlowAgain) {
  RedisServer redis;
  BusJobStore store;
  BusNode a(redis, store, "node-a", [](const JobSummary&) { return false; });
  BusNode b(redis, store, "node-b", [](const JobSummary&) { return false; });
  ASSERT_TRUE(wait_until(10s, [&] { return bus_nodes_ready(a, b); }));
  ASSERT_NO_FATAL_FAILURE(prove_bus_path(a, b, store, "before"));

  redis.stop();
  ASSERT_TRUE(wait_until(10s, [&] { return !a.bus.health().ready && !b.bus.health().ready; }))
      << "health still ready with Redis down: " << a.bus.health().detail;
  EXPECT_NE(a.bus.health().detail.find(redis.url()), std::string::npos) << a.bus.health().detail;
  // The node keeps working locally meanwhile.
  a.bus.publish(bus_job("during", JobStatus::Pending, 1));
  EXPECT_TRUE(a.heard.has_summary("during pending v1 local"));

  redis.start();
  ASSERT_TRUE(wait_until(15s, [&] { return bus_nodes_ready(a, b); })) << "not ready after Redis came back: "
                                                                << a.bus.health().detail;
  ASSERT_NO_FATAL_FAILURE(prove_bus_path(a, b, store, "after"));
  ASSERT_NO_FATAL_FAILURE(prove_bus_path(b, a, store, "after-b"));
}

TEST(RedisEventBus, AHungRedisIsNoticedByItsSilenceAndEventsFlowOnceItAnswers) {
  RedisServer redis;
  BusJobStore store;
  BusNode a(redis, store, "node-a", [](const JobSummary&) { return false; });
  BusNode b(redis, store, "node-b", [](const JobSummary&) { return false; });
  ASSERT_TRUE(wait_until(10s, [&] { return bus_nodes_ready(a, b); }));
  ASSERT_NO_FATAL_FAILURE(prove_bus_path(a, b, store, "before"));

  redis.freeze();  // sockets stay open: only unanswered PINGs tell
  ASSERT_TRUE(wait_until(10s, [&] { return !a.bus.health().ready && !b.bus.health().ready; }))
      << "still ready with Redis hung: " << a.bus.health().detail;
  redis.thaw();
  ASSERT_TRUE(wait_until(15s, [&] { return bus_nodes_ready(a, b); })) << a.bus.health().detail;
  ASSERT_NO_FATAL_FAILURE(prove_bus_path(a, b, store, "after"));
}

TEST(RedisEventBus, RedisDownAtStartIsNotReadyAndConnectsWhenItComes) {
  RedisServer redis;
  redis.stop();
  BusJobStore store;
  BusNode a(redis, store, "node-a", [](const JobSummary&) { return false; });
  a.bus.publish(bus_job("local", JobStatus::Pending, 1));
  EXPECT_TRUE(a.heard.has_summary("local pending v1 local")) << "works locally without Redis";
  EXPECT_FALSE(a.bus.health().ready);
  redis.start();
  BusNode b(redis, store, "node-b", [](const JobSummary&) { return false; });
  ASSERT_TRUE(wait_until(15s, [&] { return bus_nodes_ready(a, b); })) << a.bus.health().detail;
  ASSERT_NO_FATAL_FAILURE(prove_bus_path(a, b, store, "probe"));
}

TEST(RedisServerSupport, StopsAndStartsOnTheSamePort) {
  RedisServer redis;
  const auto port = redis.port();
  EXPECT_EQ(redis.command("PING"), "+PONG");
  redis.stop();
  EXPECT_THROW(redis.command("PING"), std::runtime_error);
  redis.start();
  EXPECT_EQ(redis.port(), port);
  EXPECT_EQ(redis.command("PING"), "+PONG");
}

}  // namespace
}  // namespace genq::bus
