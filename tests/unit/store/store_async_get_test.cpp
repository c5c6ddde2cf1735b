// Every Store: the read that never waits (JobStore::get with a callback), which the
// PostgreSQL store answers in batches (JobReadBatcher). Reads queued together must each
// get their own job, whatever the other ids of the batch hold.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class StoreAsyncGet : public StoreFixture {
 protected:
  // Queues one read per id from `threads` threads at once, and waits (10 s at most)
  // until every read was answered; the answers in the order of `ids`.
  std::vector<std::optional<Result<Job>>> get_all(const std::vector<std::string>& ids, int threads = 4) {
    std::vector<std::optional<Result<Job>>> answers(ids.size());
    std::mutex mutex;
    std::condition_variable answered;
    std::size_t left = ids.size();
    std::vector<std::thread> callers;
    for (int t = 0; t < threads; ++t) {
      callers.emplace_back([&, t] {
        for (std::size_t i = static_cast<std::size_t>(t); i < ids.size(); i += static_cast<std::size_t>(threads)) {
          store_->get(ids[i], [&, i](Result<Job> job) {
            std::lock_guard lock(mutex);
            answers[i].emplace(std::move(job));
            --left;
            answered.notify_all();
          });
        }
      });
    }
    for (std::thread& caller : callers) caller.join();
    std::unique_lock lock(mutex);
    EXPECT_TRUE(answered.wait_for(lock, 10s, [&] { return left == 0; })) << left << " reads never answered";
    return answers;
  }
};

GENQ_STORE_SUITE(StoreAsyncGet);

TEST_P(StoreAsyncGet, ReadsQueuedTogetherEachGetTheirOwnJob) {
  // Ids that a text[] literal must quote: quotes, backslashes, commas, braces, spaces.
  const std::vector<std::string> stored = {"plain", "with \"quote\"", "back\\slash", "a,b", "{braces}", " spaced ",
                                           "NULL"};
  for (const std::string& id : stored) submit(new_job(id));
  claim_one();  // "plain" is now processing: each read shows its own row's state

  std::vector<std::string> ids;
  for (int round = 0; round < 40; ++round) {
    for (const std::string& id : stored) ids.push_back(id);
    ids.push_back("missing-" + std::to_string(round));
  }
  ids.push_back("");                           // names nothing
  ids.push_back(std::string("nul\0byte", 8));  // a NUL PostgreSQL cannot take
  ids.push_back("not utf-8 \xff\xfe");         // bytes PostgreSQL would refuse

  auto answers = get_all(ids);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSERT_TRUE(answers[i]) << "no answer for id #" << i;
    const Result<Job>& job = *answers[i];
    const bool exists = std::find(stored.begin(), stored.end(), ids[i]) != stored.end();
    if (exists) {
      ASSERT_TRUE(job) << ids[i] << ": " << job.error().message;
      EXPECT_EQ(job->id, ids[i]);
      EXPECT_EQ(job->status, ids[i] == "plain" ? JobStatus::Processing : JobStatus::Pending) << ids[i];
    } else {
      ASSERT_FALSE(job) << "id #" << i << " found " << job->id;
      EXPECT_EQ(job.error().kind, ErrorKind::NotFound) << "id #" << i << ": " << job.error().message;
    }
  }
}

TEST_P(StoreAsyncGet, TheBlockingReadFindsNoJobForAnIdNoJobCanHave) {
  submit(new_job("job-1"));
  for (const std::string& id : {std::string("nul\0byte", 8), std::string("not utf-8 \xff\xfe"), std::string()}) {
    Result<Job> job = store_->get(id);
    ASSERT_FALSE(job);
    EXPECT_EQ(job.error().kind, ErrorKind::NotFound) << job.error().message;
  }
}

TEST_P(StoreAsyncGet, ReadSeesWhatWasCommittedBeforeItWasQueued) {
  submit(new_job("job-1"));
  ASSERT_EQ(get_all({"job-1"})[0]->value().status, JobStatus::Pending);
  LeaseRef lease = claim_one();
  ASSERT_TRUE(store_->complete(lease, JobResult{"results/r.png", "image/png", ""}));
  EXPECT_EQ(get_all({"job-1"})[0]->value().status, JobStatus::Done);
}

}  // namespace
}  // namespace genq
