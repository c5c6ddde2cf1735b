// Graceful shutdown (docs/reliability.md): on SIGTERM genq stops accepting, answers
// every request it has read, answers long polls and held submits at once, and exits
// within --shutdown-timeout-s. A committed submit that went unanswered would be sent
// again by a client without an Idempotency-Key: a duplicate job.
#include <sqlite3.h>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

// Jobs the store holds for `client_id`, read from the database file of a stopped server.
long stored_jobs(const std::filesystem::path& data_dir, const std::string& client_id) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2((data_dir / "genq.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open genq.db");
  }
  sqlite3_stmt* count = nullptr;
  long n = -1;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FROM jobs WHERE client_id = ?", -1, &count, nullptr) == SQLITE_OK) {
    sqlite3_bind_text(count, 1, client_id.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(count) == SQLITE_ROW) n = sqlite3_column_int64(count, 0);
  }
  sqlite3_finalize(count);
  sqlite3_close(db);
  return n;
}

class GracefulShutdown : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override { return {"--shutdown-timeout-s", "10"}; }
};

TEST_F(GracefulShutdown, SubmitsInFlightDuringSigtermAreEachAnsweredOrRefusedUnread) {
  const JobRequest request = requests().minimal("txt2img");
  std::mutex mutex;
  std::vector<std::string> acknowledged;
  std::vector<std::string> unexpected;  // answers other than 200 and "no answer at all"
  std::atomic<bool> server_gone{false};
  std::atomic<int> answered{0};

  // Eight clients submit back to back until the server no longer takes connections.
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&] {
      for (int failures = 0; failures < 20;) {
        const HttpResponse response = request.submit(api());
        std::lock_guard lock(mutex);
        if (response.status == 200) {
          acknowledged.push_back(request_id_of(response));
          ++answered;
        } else if (response.status == 0) {
          ++failures;  // refused or closed before an answer: nothing was committed for it
          if (server_gone) break;
        } else {
          unexpected.push_back(response.describe());
        }
      }
    });
  }
  ASSERT_TRUE(wait_until(30s, [&] { return answered.load() >= 200; })) << "the clients got no answers";
  const auto sigterm_at = std::chrono::steady_clock::now();
  const auto code = server().stop(15s);
  const auto stopped_after = std::chrono::steady_clock::now() - sigterm_at;
  server_gone = true;
  for (auto& t : clients) t.join();

  ASSERT_TRUE(code) << "still running 15 s after SIGTERM";
  EXPECT_EQ(*code, 0) << server().logs();
  EXPECT_LT(stopped_after, 10s) << "past --shutdown-timeout-s";
  EXPECT_TRUE(unexpected.empty()) << unexpected.front();
  const std::set<std::string> unique(acknowledged.begin(), acknowledged.end());
  ASSERT_EQ(unique.size(), acknowledged.size()) << "one request id answered twice";
  // Every job the store committed was acknowledged: none was committed and then
  // dropped unanswered (which its client would submit again).
  EXPECT_EQ(stored_jobs(server().data_dir(), client().client_id), static_cast<long>(acknowledged.size()))
      << server().logs();

  server().start();
  for (const auto& id : acknowledged) {
    const auto status = api().get("/api/v1/client/request-status/" + id);
    ASSERT_EQ(status.status, 200) << id << " acknowledged but not found after the restart: " << status.describe();
  }
}

TEST_F(GracefulShutdown, HeldSubmitAndLongPollClaimAreAnsweredAtOnce) {
  // No worker serves txt2img: the submit holds for its whole wait, and a claim by a
  // worker of another model long-polls.
  const JobRequest request = requests().minimal("txt2img");
  const catalog::ModelSpec* other = requests().model_not_serving("txt2img");
  ASSERT_NE(other, nullptr);
  const ManualWorker worker = manual_worker({other->name});
  auto held = std::async(std::launch::async, [&] { return request.submit(api(), {{"Prefer", "wait=60"}}); });
  auto claim = std::async(std::launch::async, [&] {
    return worker.claim_raw(
        boost::json::object{{"worker_id", "idle"}, {"models", boost::json::array{other->name}}, {"wait_ms", 30000}});
  });
  // The submit is committed (the queue gauge counts it) and held; the claim waits.
  ASSERT_TRUE(wait_until(10s, [&] {
    const auto metrics = server().admin_http().get("/metrics");
    return metrics.body.find("genq_queue_depth{model=\"" + request.model + "\"} 1") != std::string::npos;
  }))
      << server().admin_http().get("/metrics").body;
  ASSERT_EQ(held.wait_for(200ms), std::future_status::timeout) << "the submit was not held";
  if (claim.wait_for(0ms) == std::future_status::ready) FAIL() << "the claim did not wait: " << claim.get().describe();

  const auto sigterm_at = std::chrono::steady_clock::now();
  server().process().kill(SIGTERM);
  ASSERT_EQ(held.wait_for(5s), std::future_status::ready) << "the held submit was not answered at SIGTERM";
  ASSERT_EQ(claim.wait_for(5s), std::future_status::ready) << "the long-poll claim was not answered at SIGTERM";
  const auto code = server().process().wait_exit(10s);
  EXPECT_LT(std::chrono::steady_clock::now() - sigterm_at, 5s) << "held requests kept the server up";
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);

  const HttpResponse submitted = held.get();
  ASSERT_EQ(submitted.status, 200) << submitted.describe();
  EXPECT_EQ(text_at(submitted.json(), "/data/status"), "pending") << submitted.body;
  EXPECT_TRUE(submitted.header("location")) << "a held answer that is not final says where to poll";
  const HttpResponse claimed = claim.get();
  ASSERT_EQ(claimed.status, 200) << claimed.describe();
  EXPECT_EQ(claimed.json().as_object().at("jobs").as_array().size(), 0U) << claimed.body;
}

}  // namespace
}  // namespace genq::testing
