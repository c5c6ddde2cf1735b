// PostgresStore as several genq nodes see it: separate stores (each with its own
// connections) on one database, racing for the same rows.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "genq/store/postgres/postgres_store.hpp"
#include "genq/store/postgres/schema.hpp"
#include "support/postgres_server.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class PostgresNodes : public ::testing::Test {
 protected:
  static constexpr const char* kModel = "Flux1schnell";

  void SetUp() override {
    try {
      dsn_ = genq::testing::PostgresServer::shared().create_database();
    } catch (const std::exception& e) {
      FAIL() << "no PostgreSQL for the store tests: " << e.what();
    }
  }

  std::unique_ptr<PostgresStore> open_node() {
    PostgresOptions options;
    options.dsn = dsn_;
    options.pool_connections = 2;
    Result<std::unique_ptr<PostgresStore>> opened = PostgresStore::open(options, clock_);
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  static NewJob new_job(std::string id) {
    NewJob job;
    job.id = std::move(id);
    job.client_id = "cl_1";
    job.task = "txt2img";
    job.model = kModel;
    job.params_json = "{}";
    return job;
  }

  static ClaimRequest claim_request(std::string worker, int max_jobs) {
    ClaimRequest request;
    request.worker_id = std::move(worker);
    request.models = {kModel};
    request.max_jobs = max_jobs;
    request.lease = 30s;
    return request;
  }

  // Runs one SQL statement on its own connection; returns the first value (or "").
  std::string sql_value(const std::string& sql) {
    PGconn* connection = PQconnectdb(dsn_.c_str());
    PGresult* result = PQexec(connection, sql.c_str());
    std::string value;
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0) {
      value = PQgetvalue(result, 0, 0);
    } else {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result) << PQerrorMessage(connection);
    }
    PQclear(result);
    PQfinish(connection);
    return value;
  }

  // Polls `node` until the client of `key_hash` reads disabled (or is refused), up to `timeout`.
  static bool wait_for_disabled(PostgresStore& node, const std::string& key_hash, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      Result<Client> found = node.find_client_by_key(key_hash);
      if (!found || found->disabled) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  std::string dsn_;
  ManualClock clock_;
};

TEST_F(PostgresNodes, AJobSubmittedOnOneNodeIsClaimedOnTheOther) {
  std::unique_ptr<PostgresStore> node1 = open_node();
  std::unique_ptr<PostgresStore> node2 = open_node();
  ASSERT_TRUE(node1 && node2);
  ASSERT_TRUE(node1->submit(new_job("job-1")));
  Result<std::vector<Lease>> leases = node2->claim(claim_request("wk_2", 1));
  ASSERT_TRUE(leases) << leases.error().message;
  ASSERT_EQ(leases->size(), 1u);
  EXPECT_EQ(leases->front().job.id, "job-1");
  const LeaseRef lease{"job-1", leases->front().job.lease_id};
  Result<Job> done = node1->complete(lease, JobResult{"out/1.png", "image/png", std::nullopt});
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(node2->get("job-1")->status, JobStatus::Done);
}

TEST_F(PostgresNodes, TwoNodesRacingForClaimsNeverLeaseAJobTwice) {
  constexpr int kJobs = 300;
  std::unique_ptr<PostgresStore> node1 = open_node();
  std::unique_ptr<PostgresStore> node2 = open_node();
  ASSERT_TRUE(node1 && node2);
  for (int i = 0; i < kJobs; ++i) {
    ASSERT_TRUE((i % 2 == 0 ? node1 : node2)->submit(new_job("job-" + std::to_string(i))));
  }
  // Four workers per node, each claiming up to 3 at a time until the queue is empty;
  // each node batches its workers' claims into shared transactions.
  std::mutex mutex;
  std::vector<std::string> claimed;
  std::atomic<int> errors{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 8; ++w) {
    PostgresStore& node = w % 2 == 0 ? *node1 : *node2;
    workers.emplace_back([&, w] {
      while (true) {
        Result<std::vector<Lease>> leases = node.claim(claim_request("wk_" + std::to_string(w), 3));
        if (!leases) {
          ++errors;
          return;
        }
        if (leases->empty()) {
          return;
        }
        std::lock_guard lock(mutex);
        for (const Lease& lease : *leases) {
          claimed.push_back(lease.job.id);
        }
      }
    });
  }
  for (std::thread& worker : workers) {
    worker.join();
  }
  EXPECT_EQ(errors.load(), 0);
  const std::set<std::string> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(claimed.size(), unique.size()) << "a job was leased twice";
  EXPECT_EQ(unique.size(), static_cast<std::size_t>(kJobs)) << "a job was never leased";
  EXPECT_EQ(sql_value("SELECT COUNT(*) FROM jobs WHERE attempts <> 1"), "0");
}

TEST_F(PostgresNodes, NodesStartingAtOnceMigrateTheSchemaOnce) {
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<PostgresStore>> nodes(kNodes);
  std::vector<std::thread> starting;
  for (int i = 0; i < kNodes; ++i) {
    starting.emplace_back([&, i] { nodes[static_cast<std::size_t>(i)] = open_node(); });
  }
  for (std::thread& thread : starting) {
    thread.join();
  }
  for (const auto& node : nodes) {
    ASSERT_TRUE(node) << "a node failed to open while others migrated";
  }
  EXPECT_EQ(sql_value("SELECT version FROM genq_schema_version"), std::to_string(postgres::latest_schema_version()));
  EXPECT_EQ(sql_value("SELECT COUNT(*) FROM genq_schema_version"), "1");
  ASSERT_TRUE(nodes[0]->submit(new_job("job-1")));
  EXPECT_TRUE(nodes[3]->get("job-1"));
}

TEST_F(PostgresNodes, ADatabaseFromANewerGenqIsRefused) {
  ASSERT_TRUE(open_node());
  sql_value("UPDATE genq_schema_version SET version = 999 RETURNING version");
  PostgresOptions options;
  options.dsn = dsn_;
  Result<std::unique_ptr<PostgresStore>> opened = PostgresStore::open(options, clock_);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, ErrorKind::Invalid) << opened.error().message;
}

TEST_F(PostgresNodes, SweepsOnTwoNodesAtOnceRequeueEachExpiredLeaseOnce) {
  constexpr int kJobs = 200;
  std::unique_ptr<PostgresStore> node1 = open_node();
  std::unique_ptr<PostgresStore> node2 = open_node();
  ASSERT_TRUE(node1 && node2);
  Client client;
  client.id = "cl_1";
  client.name = "one";
  client.webhook_url = "https://hooks.example.com/genq";
  ASSERT_TRUE(node1->create_client(client, "hash-1"));
  for (int i = 0; i < kJobs; ++i) {
    NewJob job = new_job("job-" + std::to_string(i));
    job.max_attempts = 1;  // an expired lease ends the job: job.failed, once
    ASSERT_TRUE(node1->submit(job));
  }
  Result<std::vector<Lease>> leases = node1->claim(claim_request("wk_1", kJobs));
  ASSERT_TRUE(leases) << leases.error().message;
  ASSERT_EQ(leases->size(), static_cast<std::size_t>(kJobs));
  clock_.advance(31s);

  Result<std::vector<Job>> swept1 = genq::fail(Error::internal("not run"));
  Result<std::vector<Job>> swept2 = genq::fail(Error::internal("not run"));
  std::thread sweeper1([&] { swept1 = node1->requeue_expired(clock_.now()); });
  std::thread sweeper2([&] { swept2 = node2->requeue_expired(clock_.now()); });
  sweeper1.join();
  sweeper2.join();
  ASSERT_TRUE(swept1) << swept1.error().message;
  ASSERT_TRUE(swept2) << swept2.error().message;
  std::multiset<std::string> ids;
  for (const auto* swept : {&*swept1, &*swept2}) {
    for (const Job& job : *swept) {
      ids.insert(job.id);
      EXPECT_EQ(job.status, JobStatus::Error);
    }
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kJobs));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "a lease was swept twice";
  EXPECT_EQ(sql_value("SELECT COUNT(*) FROM webhook_deliveries WHERE event = 'job.failed'"), std::to_string(kJobs));
}

TEST_F(PostgresNodes, TheSameIdempotencyKeyOnTwoNodesAtOnceMakesOneJob) {
  std::unique_ptr<PostgresStore> node1 = open_node();
  std::unique_ptr<PostgresStore> node2 = open_node();
  ASSERT_TRUE(node1 && node2);
  for (int round = 0; round < 20; ++round) {
    NewJob first = new_job("a-" + std::to_string(round));
    NewJob second = new_job("b-" + std::to_string(round));
    for (NewJob* job : {&first, &second}) {
      job->idempotency_key = "key-" + std::to_string(round);
      job->request_hash = "hash";
    }
    Result<SubmitOutcome> one = genq::fail(Error::internal("not run"));
    Result<SubmitOutcome> two = genq::fail(Error::internal("not run"));
    std::thread a([&] { one = node1->submit(first); });
    std::thread b([&] { two = node2->submit(second); });
    a.join();
    b.join();
    ASSERT_TRUE(one) << one.error().message;
    ASSERT_TRUE(two) << two.error().message;
    EXPECT_EQ(one->job.id, two->job.id) << "round " << round;
    EXPECT_NE(one->created, two->created) << "round " << round;
  }
}


TEST_F(PostgresNodes, NodesStartingAtOnceShareTheSecretTheFirstOneStored) {
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<PostgresStore>> nodes(kNodes);
  for (auto& node : nodes) {
    node = open_node();
    ASSERT_TRUE(node);
  }
  std::vector<std::string> seen(kNodes);
  std::vector<std::thread> starting;
  for (int i = 0; i < kNodes; ++i) {
    starting.emplace_back([&, i] {
      Result<std::string> secret =
          nodes[static_cast<std::size_t>(i)]->shared_secret("url-signing-key", "value-of-node-" + std::to_string(i));
      if (secret) seen[static_cast<std::size_t>(i)] = *secret;
    });
  }
  for (std::thread& thread : starting) thread.join();
  ASSERT_FALSE(seen[0].empty());
  EXPECT_EQ(seen[0].rfind("value-of-node-", 0), 0u) << seen[0];
  for (const std::string& value : seen) EXPECT_EQ(value, seen[0]) << "nodes disagree on a shared secret";
  // Later starts read it; another name is another secret.
  EXPECT_EQ(open_node()->shared_secret("url-signing-key", "late").value(), seen[0]);
  EXPECT_EQ(nodes[0]->shared_secret("admin-token", "gqa_x").value(), "gqa_x");
  EXPECT_EQ(sql_value("SELECT COUNT(*) FROM cluster_secrets"), "2");
}

TEST_F(PostgresNodes, AnAccountChangedOnOneNodeLeavesNoCachedCredentialOnAnother) {
  PostgresOptions options;
  options.dsn = dsn_;
  options.pool_connections = 2;
  options.hear_account_changes = true;
  Result<std::unique_ptr<PostgresStore>> listening = PostgresStore::open(options, clock_);
  ASSERT_TRUE(listening) << listening.error().message;
  std::unique_ptr<PostgresStore>& node1 = *listening;
  std::unique_ptr<PostgresStore> node2 = open_node();
  ASSERT_TRUE(node2);
  Client client;
  client.id = "cl_1";
  client.name = "one";
  ASSERT_TRUE(node2->create_client(client, "hash-1"));
  ASSERT_TRUE(node1->find_client_by_key("hash-1"));  // now cached on node 1 for 5 s

  ASSERT_TRUE(node2->set_client_disabled("cl_1", true));
  // Far inside the cache's 5 s: only node 2's notification explains node 1 seeing it.
  EXPECT_TRUE(wait_for_disabled(*node1, "hash-1", 2s)) << "node 1 still answers from its cache";

  ASSERT_TRUE(node2->set_client_disabled("cl_1", false));
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  Result<Client> found = node1->find_client_by_key("hash-1");
  while ((!found || found->disabled) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    found = node1->find_client_by_key("hash-1");
  }
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_FALSE(found->disabled);
}

}  // namespace
}  // namespace genq
