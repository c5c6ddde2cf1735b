// Two `genq serve` nodes on one PostgreSQL (--store) and one Redis (--bus) agree on
// what used to live in each node's memory or data directory: the secrets (admin
// token), queue positions, rate limits, credentials, and who sends each webhook.
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <thread>
#include <map>

#include "integration/genq_test.hpp"
#include "support/fake_model_server.hpp"
#include "support/postgres_server.hpp"
#include "support/redis_server.hpp"

namespace genq::testing {
namespace {

class ClusterState : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      dsn_ = PostgresServer::shared().create_database();
    } catch (const std::exception& e) {
      FAIL() << "no PostgreSQL for the cluster tests: " << e.what();
    }
    redis_ = std::make_unique<RedisServer>();
    scratch_ = std::make_unique<TempDir>("genq-scratch");
    requests_ = std::make_unique<RequestFactory>(catalog_path(), *scratch_);
  }

  void TearDown() override {
    if (!HasFailure()) return;
    for (const auto& node : nodes_) {
      const std::string logs = node->logs();
      std::cerr << "--- node " << node->base_url() << " (tail) ---\n"
                << (logs.size() > 4000 ? logs.substr(logs.size() - 4000) : logs) << "\n";
    }
  }

  GenqServer& start_node(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--store", dsn_, "--bus", redis_->url()};
    args.insert(args.end(), extra.begin(), extra.end());
    nodes_.push_back(std::make_unique<GenqServer>(server_options(args)));
    GenqServer& node = *nodes_.back();
    EXPECT_TRUE(wait_until(15s, [&] { return node.http().get("/readyz").status == 200; }))
        << "node not connected to Redis";
    return node;
  }

  // `genq admin <args> --store DSN`; its first JSON line.
  boost::json::value admin(std::vector<std::string> args) {
    std::vector<std::string> argv = {GENQ_BINARY, "admin"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--store");
    argv.push_back(dsn_);
    const CommandResult result = run_command(argv, 30s);
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    return first_json_line(result.out);
  }

  std::string new_api_key() { return text_at(admin({"create-client", "--name", "shared"}), "/api_key"); }

  std::string dsn_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<TempDir> scratch_;
  std::unique_ptr<RequestFactory> requests_;
  std::vector<std::unique_ptr<GenqServer>> nodes_;
};

TEST_F(ClusterState, EveryNodeAndTheAdminCliShareOneAdminTokenCreatedInTheStore) {
  GenqServer& node1 = start_node();
  GenqServer& node2 = start_node();
  const std::string token = text_at(admin({"admin-token"}), "/admin_token");
  ASSERT_EQ(token.rfind("gqa_", 0), 0u) << token;
  for (GenqServer* node : {&node1, &node2}) {
    EXPECT_FALSE(std::filesystem::exists(node->data_dir() / "admin-token")) << "the secret lives in the store";
    const auto clients = node->http().with_bearer(token).get("/api/v1/admin/clients");
    EXPECT_EQ(clients.status, 200) << node->base_url() << ": " << clients.describe();
  }
  EXPECT_EQ(text_at(admin({"admin-token"}), "/admin_token"), token) << "created once";
}

TEST_F(ClusterState, QueuePositionsCountJobsSubmittedOnTheOtherNode) {
  GenqServer& node1 = start_node();
  GenqServer& node2 = start_node();
  const std::string key = new_api_key();
  const HttpClient api1 = node1.http().with_bearer(key), api2 = node2.http().with_bearer(key);
  // Submitted after both started, alternately: each node's memory holds half of them
  // unless it hears the other's.
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(request_id_of(requests_->minimal("txt2img").submit(i % 2 == 0 ? api1 : api2)));
  }
  for (const HttpClient* api : {&api1, &api2}) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::optional<boost::json::object> last;
      const bool right = wait_until(10s, [&] {
        last = read_status(*api, ids[i]);
        const auto* position = last ? last->if_contains("queue_position") : nullptr;
        return position && position->is_number() && position->to_number<double>() == static_cast<double>(i);
      });
      EXPECT_TRUE(right) << api->base_url() << " job " << i << ": "
                         << (last ? boost::json::serialize(*last) : std::string("no status"));
    }
  }
}

TEST_F(ClusterState, RateLimitsHoldAtTheClusterWideCount) {
  GenqServer& node1 = start_node({"--rate-limit-per-minute", "3"});
  GenqServer& node2 = start_node({"--rate-limit-per-minute", "3"});
  const std::string key = new_api_key();
  // All five submits inside one minute window.
  if (std::time(nullptr) % 60 > 50) std::this_thread::sleep_for(std::chrono::seconds(60 - std::time(nullptr) % 60));
  const HttpClient api1 = node1.http().with_bearer(key), api2 = node2.http().with_bearer(key);
  std::vector<long> statuses;
  for (int i = 0; i < 5; ++i) {
    statuses.push_back(requests_->minimal("txt2img").submit(i % 2 == 0 ? api1 : api2).status);
  }
  EXPECT_EQ(statuses, (std::vector<long>{200, 200, 200, 429, 429}))
      << "3 a minute for the cluster, not 3 per node";
  const auto refused = requests_->minimal("txt2img").submit(api2);
  EXPECT_EQ(refused.status, 429);
  EXPECT_TRUE(std::any_of(refused.headers.begin(), refused.headers.end(),
                          [](const auto& header) { return header.first == "retry-after"; }))
      << refused.describe();
}

TEST_F(ClusterState, ADisabledClientIsRefusedOnEveryNodeAtOnce) {
  GenqServer& node1 = start_node();
  GenqServer& node2 = start_node();
  const boost::json::value client = admin({"create-client", "--name", "soon-disabled"});
  const std::string key = text_at(client, "/api_key"), client_id = text_at(client, "/client_id");
  const std::string id = request_id_of(requests_->minimal("txt2img").submit(node1.http().with_bearer(key)));
  const std::string status_path = "/api/v1/client/request-status/" + id;
  // Both nodes now hold the key in their credential caches (kept 5 s).
  ASSERT_EQ(node1.http().with_bearer(key).get(status_path).status, 200);
  ASSERT_EQ(node2.http().with_bearer(key).get(status_path).status, 200);

  const std::string token = text_at(admin({"admin-token"}), "/admin_token");
  const auto disabled =
      node2.http().with_bearer(token).request("POST", "/api/v1/admin/clients/" + client_id + "/disable");
  ASSERT_EQ(disabled.status, 200) << disabled.describe();
  // Well inside the cache's 5 s: only the invalidation can explain a refusal this soon.
  EXPECT_TRUE(wait_until(2s, [&] { return node1.http().with_bearer(key).get(status_path).status == 403; }))
      << "node 1 still accepts a client disabled on node 2";

  // The admin CLI changes accounts too: a rotated secret reaches every node.
  const auto enabled = node1.http().with_bearer(token).request("POST", "/api/v1/admin/clients/" + client_id + "/enable");
  ASSERT_EQ(enabled.status, 200) << enabled.describe();
  EXPECT_TRUE(wait_until(2s, [&] { return node2.http().with_bearer(key).get(status_path).status == 200; }))
      << "node 2 still refuses a client enabled on node 1";
}

TEST_F(ClusterState, EachWebhookAttemptIsSentByOneNodeOnly) {
  FakeModelServer receiver;  // POST /hook answers 200 after 300 ms
  const std::vector<std::string> flags = {"--webhook-allow-http", "--webhook-allow-private"};
  GenqServer& node1 = start_node(flags);
  GenqServer& node2 = start_node(flags);
  const std::string key = new_api_key();
  const HttpClient api1 = node1.http().with_bearer(key), api2 = node2.http().with_bearer(key);
  // Cancelling a pending job queues its job.failed delivery; both nodes' senders wake
  // for their own cancels and read the same outbox while attempts are in flight.
  constexpr int kJobs = 12;
  std::vector<std::string> ids;
  for (int i = 0; i < kJobs; ++i) {
    JobRequest request = requests_->minimal("txt2img");
    request.fields["webhook_url"] = receiver.base_url() + "/hook";
    const HttpClient& api = i % 2 == 0 ? api1 : api2;
    ids.push_back(request_id_of(request.submit(api)));
    const auto cancelled = api.request("POST", "/api/v1/client/request-cancel/" + ids.back());
    ASSERT_EQ(cancelled.status, 200) << cancelled.describe();
  }
  auto received = [&] {
    std::map<std::string, int> per_job;
    for (const auto& body : receiver.bodies()) {
      if (!body.is_object()) continue;
      const auto* data = body.as_object().if_contains("data");
      if (data && data->is_object()) per_job[text_at(body, "/data/job_request_id")]++;
    }
    return per_job;
  };
  ASSERT_TRUE(wait_until(20s, [&] { return received().size() == static_cast<std::size_t>(kJobs); }))
      << received().size() << " of " << kJobs << " webhooks arrived";
  // Both senders look again within their idle wait (5 s): nothing is sent twice.
  std::this_thread::sleep_for(6s);
  for (const auto& [job, count] : received()) EXPECT_EQ(count, 1) << job << " was sent " << count << " times";
  EXPECT_EQ(receiver.bodies().size(), static_cast<std::size_t>(kJobs));
}

}  // namespace
}  // namespace genq::testing
