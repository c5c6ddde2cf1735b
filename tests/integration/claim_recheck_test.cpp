// ClaimDispatcher::recheck: a long-poll claim finds a job whose pending event never
// reached it (Redis pub/sub is lossy), without waiting for its long-poll to end. Runs
// the real JobService on a SqliteStore; no event is published for the job, so only
// the re-check can hand it over before the 30 s wait passes.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <thread>

#include "genq/blob/local_blob_store.hpp"
#include "genq/bus/in_process_event_bus.hpp"
#include "genq/service/claim_dispatcher.hpp"
#include "genq/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;
using testing::wait_until;

TEST(ClaimRecheck, AWaitingClaimFindsAJobWhosePendingEventWasLost) {
  testing::TempDir dir("genq-recheck");
  SystemClock clock;
  SqliteOptions store_options;
  store_options.path = dir.file("genq.db");
  auto store = SqliteStore::open(store_options, clock);
  ASSERT_TRUE(store) << store.error().message;
  auto blobs = LocalBlobStore::open(dir.path() / "blobs");
  ASSERT_TRUE(blobs) << blobs.error().message;
  InProcessEventBus bus;  // the dispatcher is not subscribed: every wake-up is "lost"
  JobService jobs(**store, **blobs, bus, clock, ServiceOptions{});

  boost::asio::io_context ioc;
  auto work = boost::asio::make_work_guard(ioc);
  std::thread io([&ioc] { ioc.run(); });
  {
    ClaimDispatcher claims(jobs, ioc);
    std::atomic<int> claimed{-1};
    ClaimRequest request;
    request.worker_id = "wk_1";
    request.models = {"Flux1schnell"};
    claims.claim(request, 30s, [&claimed](const Result<std::vector<Lease>>& leases) {
      if (!leases.has_value()) {
        claimed = -2;
        return;
      }
      const std::vector<Lease>& got = leases.value();
      claimed = static_cast<int>(got.size());
    });
    // The first attempt has found nothing once the waiter is idle; this one retries.
    ASSERT_TRUE(wait_until(5s, [&] { return claims.recheck(0ms) == 1; })) << "the claim never went idle";
    EXPECT_EQ(claims.recheck(1h), 0u) << "a waiter that just tried is left alone";

    NewJob job;
    job.id = "job-lost-event";
    job.client_id = "cl_1";
    job.task = "txt2img";
    job.model = "Flux1schnell";
    job.params_json = "{}";
    ASSERT_TRUE((*store)->submit(job)) << "stored without a published event";

    ASSERT_TRUE(wait_until(5s, [&] {
      claims.recheck(0ms);
      return claimed.load() != -1;
    })) << "the waiting claim never found the job";
    EXPECT_EQ(claimed.load(), 1);
    EXPECT_EQ(claims.waiting(), 0u);
  }
  work.reset();
  ioc.stop();
  io.join();
  (*store)->drain();
}

}  // namespace
}  // namespace genq
