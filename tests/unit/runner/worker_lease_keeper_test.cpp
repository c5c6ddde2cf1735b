#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "genq/runner/lease_keeper.hpp"
#include "support/wait.hpp"

namespace genq::runner {
namespace {

using namespace std::chrono_literals;
using genq::testing::wait_until;

// A server stand-in: records calls and answers them from a script (OK when empty).
class FakeChannel final : public LeaseChannel {
 public:
  struct Call {
    std::string kind;  // "progress" or "heartbeat"
    double percent = 0;
    std::string preview;
  };
  struct Shared {
    std::mutex mutex;
    std::vector<Call> calls;
    std::deque<Status> script;
  };
  explicit FakeChannel(Shared& shared) : shared_(shared) {}

  Status progress(double percent, std::string_view preview, const std::atomic<bool>*) override {
    return answer({"progress", percent, std::string(preview)});
  }
  Status heartbeat(const std::atomic<bool>*) override { return answer({"heartbeat", 0, {}}); }

 private:
  Status answer(Call call) {
    std::lock_guard lock(shared_.mutex);
    shared_.calls.push_back(std::move(call));
    if (shared_.script.empty()) {
      return {};
    }
    Status next = shared_.script.front();
    shared_.script.pop_front();
    return next;
  }
  Shared& shared_;
};

std::vector<FakeChannel::Call> calls(FakeChannel::Shared& shared) {
  std::lock_guard lock(shared.mutex);
  return shared.calls;
}

TEST(WorkerLeaseKeeper, SendsHeartbeatsWhileNoProgressArrives) {
  FakeChannel::Shared server;
  CancelToken job;
  LeaseKeeper keeper(std::make_unique<FakeChannel>(server), "job-1", 10ms, job);
  keeper.start();
  ASSERT_TRUE(wait_until(5s, [&] { return keeper.heartbeats_sent() >= 3; })) << "no heartbeats";
  keeper.stop();
  for (const auto& call : calls(server)) {
    EXPECT_EQ(call.kind, "heartbeat");
  }
  EXPECT_FALSE(job.cancelled());
}

TEST(WorkerLeaseKeeper, SendsReportedProgressWithItsPreview) {
  FakeChannel::Shared server;
  CancelToken job;
  LeaseKeeper keeper(std::make_unique<FakeChannel>(server), "job-1", 1h, job);
  keeper.start();
  keeper.report(25, "jpeg-bytes");
  ASSERT_TRUE(wait_until(5s, [&] { return keeper.progress_sent() == 1; })) << "progress not sent";
  keeper.stop();
  const auto sent = calls(server);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].kind, "progress");
  EXPECT_EQ(sent[0].percent, 25);
  EXPECT_EQ(sent[0].preview, "jpeg-bytes");
}

TEST(WorkerLeaseKeeper, LeaseLostCancelsTheJob) {
  FakeChannel::Shared server;
  server.script.push_back(fail(Error::conflict("HTTP 409: lease lost")));
  CancelToken job;
  LeaseKeeper keeper(std::make_unique<FakeChannel>(server), "job-1", 1h, job);
  keeper.start();
  keeper.report(10, {});
  ASSERT_TRUE(wait_until(5s, [&] { return job.cancelled(); })) << "409 did not cancel the job";
  EXPECT_EQ(job.reason(), CancelReason::LeaseLost);
  keeper.report(20, {});  // the keeper has stopped: nothing more goes out
  keeper.stop();
  EXPECT_EQ(calls(server).size(), 1u);
}

TEST(WorkerLeaseKeeper, RetriesServerErrorsWithTheNewestProgress) {
  FakeChannel::Shared server;
  server.script.push_back(fail(Error::unavailable("HTTP 503")));
  CancelToken job;
  LeaseKeeper keeper(std::make_unique<FakeChannel>(server), "job-1", 1h, job, Backoff(5ms, 20ms));
  keeper.start();
  keeper.report(10, {});
  ASSERT_TRUE(wait_until(5s, [&] { return calls(server).size() == 1; }));
  keeper.report(30, {});  // arrives while the keeper backs off
  ASSERT_TRUE(wait_until(5s, [&] { return keeper.progress_sent() == 1; })) << "no retry after 503";
  keeper.stop();
  const auto sent = calls(server);
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].percent, 30) << "the retry carries the newest progress";
  EXPECT_FALSE(job.cancelled());
}

TEST(WorkerLeaseKeeper, RejectedPreviewDoesNotStopTheJob) {
  FakeChannel::Shared server;
  server.script.push_back(fail(Error::invalid("HTTP 413: preview too large")));
  CancelToken job;
  LeaseKeeper keeper(std::make_unique<FakeChannel>(server), "job-1", 1h, job);
  keeper.start();
  keeper.report(10, "huge");
  ASSERT_TRUE(wait_until(5s, [&] { return calls(server).size() == 1; }));
  keeper.report(20, {});
  ASSERT_TRUE(wait_until(5s, [&] { return keeper.progress_sent() == 1; }));
  keeper.stop();
  EXPECT_FALSE(job.cancelled());
}

}  // namespace
}  // namespace genq::runner
