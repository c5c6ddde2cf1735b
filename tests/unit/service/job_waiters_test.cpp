#include "genq/service/job_waiters.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace genq {
namespace {

Job job_in(const std::string& id, JobStatus status) {
  Job j;
  j.id = id;
  j.status = status;
  return j;
}

struct Calls {
  std::vector<std::optional<Job>> seen;
  JobWaiters::Done record() {
    return [this](std::optional<Job> j) { seen.push_back(std::move(j)); };
  }
};

// The store the waits read from: each read answers at once with what `set` left.
struct FakeJobs {
  std::map<std::string, std::optional<Job>> jobs;
  std::vector<std::string> read_ids;
  void set(const std::string& id, std::optional<Job> job) { jobs[id] = std::move(job); }
  JobWaiters::Read reader() {
    return [this](const std::string& id, std::function<void(std::optional<Job>)> found) {
      read_ids.push_back(id);
      auto it = jobs.find(id);
      found(it == jobs.end() ? std::nullopt : it->second);
    };
  }
};

TEST(JobWaiters, AFinalEventAnswersItsWaitOnce) {
  FakeJobs store;
  JobWaiters waiters(store.reader());
  ManualClock clock;
  Calls calls;
  store.set("a", job_in("a", JobStatus::Pending));
  waiters.wait("a", clock.now() + std::chrono::seconds(5), calls.record());
  waiters.on_job(job_in("a", JobStatus::InProgress));
  EXPECT_TRUE(calls.seen.empty()) << "progress is not the end";
  waiters.on_job(job_in("b", JobStatus::Done));
  EXPECT_TRUE(calls.seen.empty()) << "another job's end";
  waiters.on_job(job_in("a", JobStatus::Done));
  ASSERT_EQ(calls.seen.size(), 1u);
  ASSERT_TRUE(calls.seen[0]);
  EXPECT_EQ(calls.seen[0]->status, JobStatus::Done);
  waiters.on_job(job_in("a", JobStatus::Done));
  waiters.expire(clock.now() + std::chrono::hours(1));
  EXPECT_EQ(calls.seen.size(), 1u);
  EXPECT_EQ(waiters.waiting(), 0u);
}

TEST(JobWaiters, AJobThatEndedBeforeTheWaitIsAnsweredAtOnce) {
  FakeJobs store;
  JobWaiters waiters(store.reader());
  ManualClock clock;
  Calls calls;
  store.set("a", job_in("a", JobStatus::Error));
  waiters.wait("a", clock.now() + std::chrono::seconds(5), calls.record());
  ASSERT_EQ(calls.seen.size(), 1u);
  EXPECT_EQ(calls.seen[0]->status, JobStatus::Error);
  EXPECT_EQ(waiters.waiting(), 0u);
}

TEST(JobWaiters, DeadlinesAnswerWithNothing) {
  FakeJobs store;
  JobWaiters waiters(store.reader());
  ManualClock clock;
  Calls early, late;
  store.set("a", job_in("a", JobStatus::Pending));
  waiters.wait("a", clock.now() + std::chrono::seconds(1), early.record());
  store.set("b", job_in("b", JobStatus::Pending));
  waiters.wait("b", clock.now() + std::chrono::seconds(10), late.record());
  waiters.expire(clock.now());
  EXPECT_TRUE(early.seen.empty());
  clock.advance(std::chrono::seconds(1));
  waiters.expire(clock.now());
  ASSERT_EQ(early.seen.size(), 1u);
  EXPECT_FALSE(early.seen[0]);
  EXPECT_TRUE(late.seen.empty());
  EXPECT_EQ(waiters.waiting(), 1u);
  waiters.on_job(job_in("a", JobStatus::Done));
  EXPECT_EQ(early.seen.size(), 1u) << "answered once only";
}

TEST(JobWaiters, TwoWaitsOnOneJobBothHearItsEnd) {
  FakeJobs store;
  JobWaiters waiters(store.reader());
  ManualClock clock;
  Calls first, second;
  store.set("a", std::nullopt);
  waiters.wait("a", clock.now() + std::chrono::seconds(5), first.record());
  store.set("a", std::nullopt);
  waiters.wait("a", clock.now() + std::chrono::seconds(5), second.record());
  waiters.on_job(job_in("a", JobStatus::Done));
  EXPECT_EQ(first.seen.size(), 1u);
  EXPECT_EQ(second.seen.size(), 1u);
}

TEST(JobWaiters, WantsOnlyTheFinalChangesOfJobsWaitedOn) {
  FakeJobs store;
  JobWaiters waiters(store.reader());
  ManualClock clock;
  Calls calls;
  store.set("a", std::nullopt);
  waiters.wait("a", clock.now() + std::chrono::seconds(5), calls.record());
  JobSummary change;
  change.id = "a";
  change.status = JobStatus::InProgress;
  EXPECT_FALSE(waiters.wants(change)) << "not the end";
  change.status = JobStatus::Done;
  EXPECT_TRUE(waiters.wants(change));
  change.id = "b";
  EXPECT_FALSE(waiters.wants(change)) << "nobody waits on b: no store read for it";
}

TEST(JobWaiters, RecheckAnswersAWaitWhoseEndTheBusLost) {
  FakeJobs store;
  JobWaiters waiters(store.reader());
  ManualClock clock;
  Calls a_calls, b_calls;
  store.set("a", job_in("a", JobStatus::Pending));
  waiters.wait("a", clock.now() + std::chrono::seconds(5), a_calls.record());
  store.set("a", job_in("a", JobStatus::Pending));
  waiters.wait("a", clock.now() + std::chrono::seconds(5), a_calls.record());
  store.set("b", job_in("b", JobStatus::Pending));
  waiters.wait("b", clock.now() + std::chrono::seconds(5), b_calls.record());
  store.read_ids.clear();
  store.set("a", job_in("a", JobStatus::Done));
  store.set("b", job_in("b", JobStatus::InProgress));
  waiters.recheck();
  EXPECT_EQ(store.read_ids, (std::vector<std::string>{"a", "b"})) << "each waited-on job read once";
  EXPECT_EQ(a_calls.seen.size(), 2u);
  EXPECT_TRUE(b_calls.seen.empty());
  EXPECT_EQ(waiters.waiting(), 1u);
}

}  // namespace
}  // namespace genq
