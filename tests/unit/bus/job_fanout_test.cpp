#include "genq/bus/job_fanout.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "genq/bus/in_process_event_bus.hpp"

namespace genq {
namespace {

Job fanout_job(const std::string& id, JobStatus status, std::int64_t version) {
  Job j;
  j.id = id;
  j.client_id = "client-1";
  j.model = "Flux1schnell";
  j.status = status;
  j.version = version;
  return j;
}

struct FanoutSeen {
  std::vector<std::string> summaries;  // "id status version remote"
  std::vector<std::string> jobs;       // "id status version"
  void subscribe(JobFanout& fanout, std::function<bool(const JobSummary&)> wanted) {
    fanout.add_summary_handler([this](const JobSummary& s) {
      summaries.push_back(std::string(s.id) + " " + std::string(to_string(s.status)) + " " +
                          std::to_string(s.version) + (s.remote ? " remote" : " local"));
    });
    fanout.add_job_handler(std::move(wanted), [this](const Job& j) {
      jobs.push_back(j.id + " " + std::string(to_string(j.status)) + " " + std::to_string(j.version));
    });
  }
};

TEST(JobFanout, ALocalChangeReachesSummaryAndWantingJobSubscribers) {
  JobFanout fanout;
  FanoutSeen seen;
  seen.subscribe(fanout, [](const JobSummary& s) { return s.status != JobStatus::Pending; });
  fanout.deliver_local(fanout_job("a", JobStatus::Pending, 1));
  fanout.deliver_local(fanout_job("a", JobStatus::Processing, 2));
  EXPECT_EQ(seen.summaries, (std::vector<std::string>{"a pending 1 local", "a processing 2 local"}));
  EXPECT_EQ(seen.jobs, (std::vector<std::string>{"a processing 2"})) << "pending was not wanted";
}

TEST(JobFanout, AnInProgressThatArrivesAfterDoneIsDropped) {
  JobFanout fanout;
  FanoutSeen seen;
  seen.subscribe(fanout, [](const JobSummary&) { return true; });
  fanout.deliver_local(fanout_job("a", JobStatus::InProgress, 3));
  fanout.deliver_local(fanout_job("a", JobStatus::Done, 5));
  fanout.deliver_local(fanout_job("a", JobStatus::InProgress, 4));
  EXPECT_EQ(seen.summaries, (std::vector<std::string>{"a in_progress 3 local", "a done 5 local"}));
  EXPECT_EQ(seen.jobs, (std::vector<std::string>{"a in_progress 3", "a done 5"}));
}

TEST(JobFanout, ARemoteChangeAsksForTheJobOnlyWhenSomeoneWantsIt) {
  JobFanout fanout;
  FanoutSeen seen;
  bool listening = false;
  seen.subscribe(fanout, [&listening](const JobSummary&) { return listening; });
  Job change = fanout_job("a", JobStatus::InProgress, 2);
  JobSummary summary = summarize(change);
  summary.remote = true;
  EXPECT_FALSE(fanout.deliver_remote(summary)) << "nobody listens: no store read";
  EXPECT_EQ(seen.summaries, (std::vector<std::string>{"a in_progress 2 remote"}));
  listening = true;
  summary.version = 3;
  EXPECT_TRUE(fanout.deliver_remote(summary));
  fanout.deliver_loaded(fanout_job("a", JobStatus::InProgress, 4));  // the store had moved on
  EXPECT_EQ(seen.jobs, (std::vector<std::string>{"a in_progress 4"}));
  summary.version = 4;
  EXPECT_FALSE(fanout.deliver_remote(summary)) << "already seen through the read: no second read";
  fanout.deliver_loaded(fanout_job("a", JobStatus::InProgress, 3));
  EXPECT_EQ(seen.jobs.size(), 1u) << "an older read is dropped";
}

TEST(JobFanout, AStaleRemoteSummaryIsDroppedAndAsksForNothing) {
  JobFanout fanout;
  FanoutSeen seen;
  seen.subscribe(fanout, [](const JobSummary&) { return true; });
  fanout.deliver_local(fanout_job("a", JobStatus::Done, 6));
  const Job older = fanout_job("a", JobStatus::InProgress, 5);  // the summary views it
  JobSummary old = summarize(older);
  old.remote = true;
  EXPECT_FALSE(fanout.deliver_remote(old));
  EXPECT_EQ(seen.summaries, (std::vector<std::string>{"a done 6 local"}));
}

TEST(InProcessEventBus, DeliversToItsSubscribersAndIsAlwaysReady) {
  InProcessEventBus bus;
  std::vector<std::string> statuses;
  bus.subscribe_summaries([&statuses](const JobSummary& s) { statuses.emplace_back(to_string(s.status)); });
  bus.publish(fanout_job("a", JobStatus::Pending, 1));
  bus.publish(fanout_job("a", JobStatus::Error, 2));
  bus.publish(fanout_job("a", JobStatus::Processing, 0));
  EXPECT_EQ(statuses, (std::vector<std::string>{"pending", "error"}));
  EXPECT_TRUE(bus.health().ready);
}

}  // namespace
}  // namespace genq
