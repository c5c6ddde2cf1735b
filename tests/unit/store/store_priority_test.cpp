// Every Store (SQLite and PostgreSQL): the claim order of priorities and fair share,
// and the per-client caps (docs/api.md, "Priorities and fair share").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

class StorePriority : public StoreFixture {
 protected:
  Job submit_as(const std::string& id, const std::string& client_id, Priority priority = Priority::Normal) {
    NewJob job = new_job(id, kModel, client_id);
    job.priority = priority;
    return submit(job);
  }

  // Claims up to `max_jobs` and returns their ids in the order the store gave them.
  std::vector<std::string> claim_ids(int max_jobs) {
    Result<std::vector<Lease>> leases = store_->claim(claim_request({kModel}, max_jobs));
    EXPECT_TRUE(leases) << leases.error().message;
    std::vector<std::string> ids;
    if (leases) {
      for (const Lease& lease : *leases) ids.push_back(lease.job.id);
    }
    return ids;
  }

  void create_client_with(const std::string& id, ClientLimits limits) {
    Client client;
    client.id = id;
    client.name = id;
    client.limits = limits;
    Result<Client> created = store_->create_client(client, "hash-" + id);
    ASSERT_TRUE(created) << created.error().message;
  }
};

GENQ_STORE_SUITE(StorePriority);

TEST_P(StorePriority, HigherPriorityIsClaimedFirstWhateverTheSubmitOrder) {
  submit_as("low", "cl_1", Priority::Low);
  submit_as("normal", "cl_1", Priority::Normal);
  submit_as("high", "cl_1", Priority::High);
  EXPECT_EQ(get("high").priority, Priority::High);

  EXPECT_EQ(claim_ids(1), std::vector<std::string>{"high"});
  EXPECT_EQ(claim_ids(2), (std::vector<std::string>{"normal", "low"}));
}

TEST_P(StorePriority, ALateClientsSingleJobIsNotStarvedByABatch) {
  for (int i = 0; i < 50; ++i) submit_as("a-" + std::to_string(i), "cl_a");
  submit_as("b-0", "cl_b");

  std::vector<std::string> first = claim_ids(1);
  std::vector<std::string> second = claim_ids(1);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(first[0] == "b-0" || second[0] == "b-0") << "claimed " << first[0] << ", then " << second[0];
}

TEST_P(StorePriority, ClientsTakeTurnsAndEachKeepsItsOwnOrder) {
  for (int i = 0; i < 3; ++i) submit_as("a-" + std::to_string(i), "cl_a");
  for (int i = 0; i < 3; ++i) submit_as("b-" + std::to_string(i), "cl_b");

  EXPECT_EQ(claim_ids(6), (std::vector<std::string>{"a-0", "b-0", "a-1", "b-1", "a-2", "b-2"}));
}

TEST_P(StorePriority, ALateClientJoinsTheCurrentRoundNotTheFirst) {
  // cl_a's first two rounds are served; cl_b arriving now shares the rounds still
  // queued instead of being served three times before cl_a's next job.
  for (int i = 0; i < 4; ++i) submit_as("a-" + std::to_string(i), "cl_a");
  EXPECT_EQ(claim_ids(2), (std::vector<std::string>{"a-0", "a-1"}));
  for (int i = 0; i < 3; ++i) submit_as("b-" + std::to_string(i), "cl_b");

  EXPECT_EQ(claim_ids(5), (std::vector<std::string>{"a-2", "b-0", "a-3", "b-1", "b-2"}));
}

TEST_P(StorePriority, AClientAtItsMaxRunningIsSkippedUntilAJobEnds) {
  create_client_with("cl_a", ClientLimits{Priority::Normal, 0, 1});
  for (int i = 0; i < 3; ++i) submit_as("a-" + std::to_string(i), "cl_a");
  EXPECT_EQ(claim_ids(2), std::vector<std::string>{"a-0"}) << "a second cl_a job would exceed max_running";
  submit_as("b-0", "cl_b");

  // cl_a's queued jobs come first in claim order; the claim passes over them.
  EXPECT_EQ(claim_ids(1), std::vector<std::string>{"b-0"});
  EXPECT_TRUE(claim_ids(1).empty());

  Job running = get("a-0");
  ASSERT_TRUE(store_->complete(LeaseRef{running.id, running.lease_id}, JobResult{"out/a.png", "image/png", std::nullopt}));
  EXPECT_EQ(claim_ids(2), std::vector<std::string>{"a-1"});
}

TEST_P(StorePriority, MaxQueuedRefusesASubmitOverTheCapAndFreesAPlaceAtClaim) {
  NewJob job = new_job("q-0", kModel, "cl_1");
  job.max_queued = 2;
  ASSERT_TRUE(store_->submit(job));
  job.id = "q-1";
  ASSERT_TRUE(store_->submit(job));
  job.id = "q-2";
  Result<SubmitOutcome> refused = store_->submit(job);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::Exhausted);
  EXPECT_NE(refused.error().message.find("at most 2"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(store_->get("q-2")) << "a refused submit stores nothing";

  EXPECT_EQ(claim_ids(1).size(), 1u);
  EXPECT_TRUE(store_->submit(job)) << "a claimed job no longer counts as queued";
}

TEST_P(StorePriority, ClientLimitsAreStoredAndChanged) {
  create_client_with("cl_1", ClientLimits{Priority::High, 10, 2});
  Result<Client> found = store_->find_client_by_key("hash-cl_1");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->limits.max_priority, Priority::High);
  EXPECT_EQ(found->limits.max_queued, 10);
  EXPECT_EQ(found->limits.max_running, 2);

  ASSERT_TRUE(store_->set_client_limits("cl_1", ClientLimits{Priority::Low, 0, 5}));
  Result<Client> changed = store_->get_client("cl_1");
  ASSERT_TRUE(changed) << changed.error().message;
  EXPECT_EQ(changed->limits.max_priority, Priority::Low);
  EXPECT_EQ(changed->limits.max_queued, 0);
  EXPECT_EQ(changed->limits.max_running, 5);

  Status unknown = store_->set_client_limits("cl_nobody", ClientLimits{});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::NotFound);
}

TEST_P(StorePriority, ANewClientGetsNormalPriorityAndNoCaps) {
  create_client_with("cl_1", ClientLimits{});
  Result<Client> found = store_->get_client("cl_1");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->limits.max_priority, Priority::Normal);
  EXPECT_EQ(found->limits.max_queued, 0);
  EXPECT_EQ(found->limits.max_running, 0);
}

}  // namespace
}  // namespace genq
