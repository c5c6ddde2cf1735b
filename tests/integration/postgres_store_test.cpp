// `genq serve --store postgres://…` and `genq admin … --store postgres://…`: two
// servers on one PostgreSQL database behave as one service. A client and a worker
// token made by the admin CLI work on both; a job submitted on one node is run by a
// worker of the other and polled done on the first.
#include <gtest/gtest.h>

#include "integration/genq_test.hpp"
#include "support/postgres_server.hpp"

namespace genq::testing {
namespace {

class PostgresStoreServers : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      dsn_ = PostgresServer::shared().create_database();
    } catch (const std::exception& e) {
      FAIL() << "no PostgreSQL for the store tests: " << e.what();
    }
    scratch_ = std::make_unique<TempDir>("genq-scratch");
    requests_ = std::make_unique<RequestFactory>(catalog_path(), *scratch_);
  }

  std::unique_ptr<GenqServer> start_node() {
    return std::make_unique<GenqServer>(server_options({"--store", dsn_}));
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

  std::string dsn_;
  std::unique_ptr<TempDir> scratch_;
  std::unique_ptr<RequestFactory> requests_;
};

TEST_F(PostgresStoreServers, AJobSubmittedOnOneNodeIsRunByAWorkerOfTheOther) {
  std::unique_ptr<GenqServer> node1 = start_node();
  std::unique_ptr<GenqServer> node2 = start_node();
  const boost::json::value client = admin({"create-client", "--name", "shared"});
  const std::string api_key = text_at(client, "/api_key");
  const std::string token = text_at(admin({"create-worker-token"}), "/token");
  ASSERT_FALSE(api_key.empty());

  const HttpClient api1 = node1->http().with_bearer(api_key);
  const HttpClient api2 = node2->http().with_bearer(api_key);
  const std::string id = request_id_of(requests_->minimal("txt2img").submit(api1));
  // Seen at once on the other node: there is no per-node copy of the job.
  const auto pending = read_status(api2, id);
  ASSERT_TRUE(pending) << "node 2 does not know the job node 1 accepted";

  // A short --wait-ms: node 2 hears nothing of node 1's submits until the event bus
  // spans nodes, so its worker finds the job at its next claim.
  std::unique_ptr<ChildProcess> worker = node2->start_worker({"--token", token, "--wait-ms", "500"});
  const auto done = poll_status(api1, id, is_final(), kJobDeadline);
  ASSERT_TRUE(done) << worker->describe() << node2->logs();
  EXPECT_EQ(field(*done, "status"), "done") << boost::json::serialize(*done);
}

// The dashboard's lists read the shared store: a worker that claimed through node 1 and
// the jobs it holds are listed the same by node 2.
TEST_F(PostgresStoreServers, EveryNodeListsTheSameJobsWorkersAndQueue) {
  std::unique_ptr<GenqServer> node1 = start_node();
  std::unique_ptr<GenqServer> node2 = start_node();
  const std::string api_key = text_at(admin({"create-client", "--name", "shared"}), "/api_key");
  const std::string token = text_at(admin({"create-worker-token"}), "/token");
  const std::string id = request_id_of(requests_->minimal("txt2img").submit(node1->http().with_bearer(api_key)));
  const ManualWorker worker(node1->http(), token, "node1-worker");
  ASSERT_EQ(worker.claim().size(), 1u);

  // With a shared store the admin token lives in the database, not in a file.
  const HttpClient admin2 = node2->http().with_bearer(text_at(admin({"admin-token"}), "/admin_token"));
  const auto jobs = node2->http().with_bearer(api_key).get("/api/v1/client/jobs?status=processing");
  ASSERT_EQ(jobs.status, 200) << jobs.describe();
  EXPECT_EQ(text_at(jobs.json(), "/data/0/request_id"), id);
  const auto admin_jobs = admin2.get("/api/v1/admin/jobs");
  ASSERT_EQ(admin_jobs.status, 200) << admin_jobs.describe();
  EXPECT_EQ(text_at(admin_jobs.json(), "/data/0/worker_id"), "node1-worker");
  const auto queue = admin2.get("/api/v1/admin/queue");
  ASSERT_EQ(queue.status, 200) << queue.describe();
  EXPECT_EQ(text_at(queue.json(), "/data/0/processing"), "1");
  EXPECT_EQ(admin2.get("/api/v1/admin/worker-tokens").json().at("data").as_array().size(), 1u);
  // Presence reaches the store within a flush period of node 1.
  EXPECT_TRUE(wait_until(kJobDeadline, [&] {
    const auto workers = admin2.get("/api/v1/admin/workers");
    return workers.status == 200 && text_at(workers.json(), "/data/0/worker_id") == "node1-worker" &&
           text_at(workers.json(), "/data/0/current_jobs/0") == id &&
           text_at(workers.json(), "/data/0/online") == "true";
  })) << admin2.get("/api/v1/admin/workers").body;
}

TEST_F(PostgresStoreServers, AnUnreachableStoreStopsTheServerWithAClearMessage) {
  std::vector<std::string> argv = {GENQ_BINARY, "admin", "create-client", "--name", "x",
                                   "--store", "postgres://genq@127.0.0.1:1/none"};
  const CommandResult result = run_command(argv, 30s);
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("cannot open postgres://genq@127.0.0.1:1/none"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace genq::testing
