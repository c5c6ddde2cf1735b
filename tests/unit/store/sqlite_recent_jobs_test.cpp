// RecentJobs and the store's read-through of it: a status read answered from memory
// must equal what the file holds after every kind of transition.
#include <gtest/gtest.h>

#include "genq/store/sqlite/recent_jobs.hpp"
#include "sqlite_store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

Job job_with(std::string id, std::size_t params_bytes) {
  Job job;
  job.id = std::move(id);
  job.params_json = std::string(params_bytes, 'x');
  return job;
}

TEST(RecentJobs, KeepsTheLatestWriteOfEachJob) {
  sqlite::RecentJobs recent(1 << 20);
  Job job = job_with("a", 10);
  recent.put(job);
  job.status = JobStatus::Done;
  recent.put(job);
  std::optional<Job> found = recent.find("a");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->status, JobStatus::Done);
  EXPECT_EQ(recent.size(), 1u);
  EXPECT_FALSE(recent.find("b"));
}

TEST(RecentJobs, EvictsTheOldestWritesPastItsBudget) {
  sqlite::RecentJobs recent(4096);
  for (int i = 0; i < 20; ++i) recent.put(job_with("job" + std::to_string(i), 500));
  EXPECT_LE(recent.bytes(), 4096u);
  EXPECT_GT(recent.size(), 0u);
  EXPECT_FALSE(recent.find("job0")) << "the oldest write goes first";
  EXPECT_TRUE(recent.find("job19"));
  recent.put(job_with("huge", 10'000));
  EXPECT_FALSE(recent.find("huge")) << "a job larger than the budget is not kept";
  EXPECT_TRUE(recent.find("job19"));
}

TEST(RecentJobs, RewritingAJobMakesItTheNewest) {
  sqlite::RecentJobs probe(1 << 20);
  probe.put(job_with("a", 300));
  sqlite::RecentJobs recent(3 * probe.bytes());  // room for three
  recent.put(job_with("a", 300));
  recent.put(job_with("b", 300));
  recent.put(job_with("a", 300));  // a is now newer than b
  recent.put(job_with("c", 300));
  recent.put(job_with("d", 300));
  EXPECT_FALSE(recent.find("b"));
  EXPECT_TRUE(recent.find("a"));
}

TEST(RecentJobs, ExtendLeaseAndClear) {
  sqlite::RecentJobs recent(1 << 20);
  recent.put(job_with("a", 10));
  const TimePoint expires = from_unix_ms(1'800'000'000'000);
  recent.extend_lease("a", expires);
  recent.extend_lease("missing", expires);
  ASSERT_TRUE(recent.find("a"));
  EXPECT_EQ(recent.find("a")->lease_expires_at, expires);
  EXPECT_FALSE(recent.find("missing"));
  recent.clear();
  EXPECT_FALSE(recent.find("a"));
  EXPECT_EQ(recent.bytes(), 0u);
}

TEST(RecentJobs, ForgetDropsOneJobAndItsBytes) {
  sqlite::RecentJobs recent(1 << 20);
  recent.put(job_with("a", 100));
  const std::size_t one = recent.bytes();
  recent.put(job_with("b", 100));
  recent.forget("a");
  recent.forget("missing");
  EXPECT_FALSE(recent.find("a"));
  EXPECT_TRUE(recent.find("b"));
  EXPECT_EQ(recent.bytes(), one);
  recent.put(job_with("a", 100));  // the list of ages stays consistent after a forget
  EXPECT_TRUE(recent.find("a"));
}

// Reads from a second store on the same file have no memory of the first's writes:
// they show what the file holds.
class SqliteRecentJobs : public SqliteStoreFixture {
 protected:
  void SetUp() override {
    SqliteStoreFixture::SetUp();
    Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::open(options(), clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    file_ = std::move(*opened);
  }

  void expect_memory_matches_file(const std::string& id, const char* after) {
    SCOPED_TRACE(after);
    Job remembered = get(id);
    Result<Job> stored = file_->get(id);
    ASSERT_TRUE(stored) << stored.error().message;
    EXPECT_EQ(remembered.seq, stored->seq);
    EXPECT_EQ(remembered.status, stored->status);
    EXPECT_EQ(remembered.progress, stored->progress);
    EXPECT_EQ(remembered.preview_jpeg, stored->preview_jpeg);
    EXPECT_EQ(remembered.result_blob, stored->result_blob);
    EXPECT_EQ(remembered.result_mime, stored->result_mime);
    EXPECT_EQ(remembered.result_text, stored->result_text);
    EXPECT_EQ(remembered.error, stored->error);
    EXPECT_EQ(remembered.attempts, stored->attempts);
    EXPECT_EQ(remembered.worker_id, stored->worker_id);
    EXPECT_EQ(remembered.lease_id, stored->lease_id);
    EXPECT_EQ(remembered.lease_expires_at, stored->lease_expires_at);
    EXPECT_EQ(remembered.params_json, stored->params_json);
    EXPECT_EQ(remembered.created_at, stored->created_at);
    EXPECT_EQ(remembered.started_at, stored->started_at);
    EXPECT_EQ(remembered.finished_at, stored->finished_at);
  }

  std::unique_ptr<SqliteStore> file_;
};

TEST_F(SqliteRecentJobs, EveryTransitionLeavesMemoryEqualToTheFile) {
  submit(new_job("j1"));
  expect_memory_matches_file("j1", "submit");
  LeaseRef lease = claim_one();
  expect_memory_matches_file("j1", "claim");
  clock_.advance(1s);
  ASSERT_TRUE(store_->heartbeat(lease, 60s));
  expect_memory_matches_file("j1", "heartbeat");
  ASSERT_TRUE(store_->progress(lease, 42.5, std::string("jpeg"), 30s));
  expect_memory_matches_file("j1", "progress");
  ASSERT_TRUE(store_->fail(lease, "try again", /*retryable=*/true, ""));
  expect_memory_matches_file("j1", "retryable failure");
  lease = claim_one();
  ASSERT_TRUE(store_->release(lease));
  expect_memory_matches_file("j1", "release");
  lease = claim_one();
  clock_.advance(31s);
  ASSERT_TRUE(store_->requeue_expired(clock_.now()));
  expect_memory_matches_file("j1", "lease expired");
  lease = claim_one();
  ASSERT_TRUE(store_->complete(lease, JobResult{"out/j1.png", "image/png", std::string("text")}));
  expect_memory_matches_file("j1", "complete");
  clock_.advance(48h);
  ASSERT_TRUE(store_->expire_results(clock_.now()));
  expect_memory_matches_file("j1", "results expired");

  submit(new_job("j2"));
  ASSERT_TRUE(store_->cancel("j2", "cl_1"));
  expect_memory_matches_file("j2", "cancel");
}

TEST_F(SqliteRecentJobs, AFailedTransitionLeavesMemoryAlone) {
  submit(new_job("j1"));
  LeaseRef lease = claim_one();
  ASSERT_FALSE(store_->complete(LeaseRef{"j1", "not-the-lease"}, JobResult{"x", "image/png", std::nullopt}));
  expect_memory_matches_file("j1", "complete under a stale lease");
  EXPECT_EQ(get("j1").lease_id, lease.lease_id);
}

}  // namespace
}  // namespace genq
