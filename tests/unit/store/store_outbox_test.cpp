// The webhook outbox in every Store (SQLite and PostgreSQL): every reported transition writes its delivery
// in the same transaction, with the target resolved from the job or the account;
// nothing else writes one. Then the DeliveryStore side: due order, attempts,
// redelivery, rotation, and surviving a reopen.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "genq/crypto/crypto.hpp"
#include "unit/store/outbox_fixture.hpp"

namespace genq {
namespace {

class StoreOutbox : public OutboxFixture {};

GENQ_STORE_SUITE(StoreOutbox);

TEST_P(StoreOutbox, SubmitAloneWritesNoDelivery) {
  submit(hooked_job("j1"));
  EXPECT_TRUE(due().empty());
}

TEST_P(StoreOutbox, ClaimWritesJobProcessingFromPending) {
  submit(hooked_job("j1"));
  claim_one();
  const auto rows = due();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].event, "job.processing");
  EXPECT_EQ(rows[0].job_id, "j1");
  EXPECT_EQ(rows[0].status, JobStatus::Processing);
  EXPECT_EQ(rows[0].previous_status, JobStatus::Pending);
  EXPECT_EQ(rows[0].url, kHook);
  EXPECT_EQ(rows[0].host, "hooks.example.com:443");
  EXPECT_EQ(rows[0].occurred_at, clock_.now());
  EXPECT_EQ(rows[0].task, "txt2img");
  EXPECT_EQ(rows[0].account_secret, kAccountSecret);
  EXPECT_EQ(rows[0].series_attempts, 0);
  EXPECT_FALSE(rows[0].id.empty());
}

TEST_P(StoreOutbox, CompleteWritesJobCompletedWithThePreviousStatus) {
  submit(hooked_job("j1"));
  const LeaseRef lease = claim_one();
  ASSERT_TRUE(store_->progress(lease, 50, std::nullopt, 30s));
  clock_.advance(3s);
  ASSERT_TRUE(store_->complete(lease, JobResult{"results/j1/output.png", "image/png", std::nullopt}));
  EXPECT_EQ(events_of("j1"), (std::vector<std::string>{"job.processing", "job.completed"}));
  const auto rows = due();
  ASSERT_EQ(rows.size(), 2u);
  const DueDelivery& done = rows[1];
  EXPECT_EQ(done.status, JobStatus::Done);
  EXPECT_EQ(done.previous_status, JobStatus::InProgress);
  EXPECT_EQ(done.result_blob, "results/j1/output.png");
  ASSERT_TRUE(done.started_at && done.finished_at);
  EXPECT_EQ(*done.finished_at - *done.started_at, 3s);
}

TEST_P(StoreOutbox, CancelWritesJobFailedWithCancelled) {
  submit(hooked_job("j1"));
  ASSERT_TRUE(store_->cancel("j1", "cl_1"));
  const auto rows = due();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].event, "job.failed");
  EXPECT_EQ(rows[0].status, JobStatus::Error);
  EXPECT_EQ(rows[0].previous_status, JobStatus::Pending);
  EXPECT_EQ(rows[0].error_code, "UNKNOWN_ERROR") << "deAPI has no code for a cancel";
  EXPECT_EQ(rows[0].error, "cancelled");
}

TEST_P(StoreOutbox, FinalFailWritesJobFailedButARetryableOneDoesNot) {
  NewJob job = hooked_job("j1");
  job.max_attempts = 2;
  submit(job);
  ASSERT_TRUE(store_->fail(claim_one(), "GPU fell over", true, ""));  // back to pending
  EXPECT_EQ(events_of("j1"), std::vector<std::string>{"job.processing"});
  ASSERT_TRUE(store_->fail(claim_one(), "GPU fell over again", true, ""));  // attempts used up
  EXPECT_EQ(events_of("j1"), (std::vector<std::string>{"job.processing", "job.processing", "job.failed"}));
  const auto rows = due();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].error_code, "PROCESSING_ERROR");
  EXPECT_EQ(rows[2].error, "GPU fell over again");
  EXPECT_EQ(rows[2].previous_status, JobStatus::Processing);
}

TEST_P(StoreOutbox, AWorkerGivenDeapiCodeIsKeptAndAnyOtherReadsProcessingError) {
  submit(hooked_job("j1"));
  ASSERT_TRUE(store_->fail(claim_one(), "prompt too long", false, "CONTEXT_LENGTH_EXCEEDED"));
  submit(hooked_job("j2"));
  ASSERT_TRUE(store_->fail(claim_one(), "odd", false, "OUT_OF_MEMORY"));
  const auto rows = due();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1].error_code, "CONTEXT_LENGTH_EXCEEDED");
  EXPECT_EQ(rows[3].error_code, "PROCESSING_ERROR");
}

TEST(DeapiErrorCodes, RowsWithGenqsOldNamesReadAsDeapiCodes) {
  EXPECT_EQ(deapi_error_code("worker_lost"), "WORKER_TIMEOUT");
  EXPECT_EQ(deapi_error_code("job_failed"), "PROCESSING_ERROR");
  EXPECT_EQ(deapi_error_code("cancelled"), "UNKNOWN_ERROR");
  EXPECT_EQ(deapi_error_code("INVALID_INPUT"), "INVALID_INPUT");
  EXPECT_EQ(deapi_error_code("AGE_RESTRICTED"), "AGE_RESTRICTED");
  EXPECT_EQ(deapi_error_code("something"), "UNKNOWN_ERROR");
  EXPECT_EQ(deapi_error_code(""), "");
}

TEST_P(StoreOutbox, LeaseExpiryWithAttemptsLeftWritesNothingAndExhaustedWritesWorkerTimeout) {
  NewJob job = hooked_job("j1");
  job.max_attempts = 2;
  submit(job);
  claim_one();
  clock_.advance(31s);
  ASSERT_TRUE(store_->requeue_expired(clock_.now()));
  EXPECT_EQ(events_of("j1"), std::vector<std::string>{"job.processing"});
  const LeaseRef second = claim_one();
  ASSERT_TRUE(store_->progress(second, 10, std::nullopt, 30s));
  clock_.advance(31s);
  ASSERT_TRUE(store_->requeue_expired(clock_.now()));
  const auto records = log_of("j1");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].event, "job.failed");
  const auto rows = due();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2].error_code, "WORKER_TIMEOUT");
  EXPECT_EQ(rows[2].previous_status, JobStatus::InProgress);
}

TEST_P(StoreOutbox, ATransitionThatDoesNotHappenWritesNothing) {
  submit(hooked_job("j1"));
  const LeaseRef lease = claim_one();
  ASSERT_FALSE(store_->complete(LeaseRef{"j1", "not-the-lease"}, JobResult{}));
  ASSERT_TRUE(store_->complete(lease, JobResult{}));
  EXPECT_FALSE(store_->cancel("j1", "cl_1"));  // already final
  EXPECT_EQ(events_of("j1"), (std::vector<std::string>{"job.processing", "job.completed"}));
}

TEST_P(StoreOutbox, WithoutAnyTargetNoDeliveryIsWritten) {
  submit(new_job("j1"));
  ASSERT_TRUE(store_->cancel("j1", "cl_1"));
  EXPECT_TRUE(due().empty());
}

TEST_P(StoreOutbox, AccountWebhookIsTheTargetWhenTheJobHasNone) {
  ASSERT_TRUE(store_->set_account_webhook("cl_1", "http://receiver.test:8080/in", {}));
  submit(new_job("j1"));
  ASSERT_TRUE(store_->cancel("j1", "cl_1"));
  const auto rows = due();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].url, "http://receiver.test:8080/in");
  EXPECT_EQ(rows[0].host, "receiver.test:8080");
}

TEST_P(StoreOutbox, AccountEventsListFiltersItsDeliveries) {
  ASSERT_TRUE(store_->set_account_webhook("cl_1", kHook, {"job.failed"}));
  submit(new_job("j1"));
  claim_one();  // job.processing: not wanted
  EXPECT_TRUE(due().empty());
  submit(new_job("j2"));
  ASSERT_TRUE(store_->cancel("j2", "cl_1"));
  ASSERT_EQ(due().size(), 1u);
}

TEST_P(StoreOutbox, JobWebhookUrlTakesEveryEventRegardlessOfTheAccountFilter) {
  ASSERT_TRUE(store_->set_account_webhook("cl_1", "https://account.example.com/", {"job.failed"}));
  NewJob job = hooked_job("j1");
  job.webhook_secret = std::string(40, 's');
  submit(job);
  claim_one();
  const auto rows = due();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].url, kHook);
  EXPECT_EQ(rows[0].job_secret, std::string(40, 's'));
}

TEST_P(StoreOutbox, AFailuresDetailIsKeptWithTheJobForOperators) {
  submit(new_job("j1"));
  ASSERT_TRUE(store_->fail(claim_one(), "tool exited with 1", true, "", "stderr: /tmp/job-1/in.png: bad header"));
  EXPECT_EQ(get("j1").failure_detail, "stderr: /tmp/job-1/in.png: bad header") << "kept through a retry";
  ASSERT_TRUE(store_->fail(claim_one(), "tool exited with 2", false, "", "the last attempt's"));
  const Job failed = get("j1");
  EXPECT_EQ(failed.status, JobStatus::Error);
  EXPECT_EQ(failed.error, "tool exited with 2");
  EXPECT_EQ(failed.failure_detail, "the last attempt's");
}

TEST_P(StoreOutbox, AJobsOwnEventsListFiltersItsDeliveriesToEitherTarget) {
  NewJob own = hooked_job("own");
  own.webhook_events = R"(["job.completed"])";
  submit(own);
  const LeaseRef lease = claim_one();  // job.processing: not wanted
  ASSERT_TRUE(store_->complete(lease, JobResult{}));
  EXPECT_EQ(events_of("own"), std::vector<std::string>{"job.completed"});
  EXPECT_EQ(get("own").webhook_events, R"(["job.completed"])") << "kept with the job";

  // To the account webhook, the job's list replaces the account's.
  ASSERT_TRUE(store_->set_account_webhook("cl_1", "https://account.example.com/", {"job.failed"}));
  NewJob account = new_job("account");
  account.webhook_events = R"(["job.processing"])";
  submit(account);
  claim_one();
  const auto records = log_of("account");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].event, "job.processing");
  EXPECT_EQ(records[0].url, "https://account.example.com/");
}

TEST_P(StoreOutbox, AttemptsAreLoggedAndScheduleTheNextOne) {
  submit(hooked_job("j1"));
  ASSERT_TRUE(store_->cancel("j1", "cl_1"));
  const DueDelivery d = due().front();
  ASSERT_TRUE(store_->record_attempts({attempt(d, 500, DeliveryState::Pending, clock_.now() + 10s)}));
  EXPECT_TRUE(due().empty()) << "not due before its retry time";
  ASSERT_EQ(store_->next_delivery_time(clock_.now()).value(), clock_.now() + 10s);
  clock_.advance(10s);
  const auto again = due();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, d.id);
  EXPECT_EQ(again[0].series_attempts, 1);
  ASSERT_TRUE(store_->record_attempts({attempt(again[0], 200, DeliveryState::Delivered)}));
  EXPECT_TRUE(due().empty());
  EXPECT_EQ(store_->count_pending_deliveries().value(), 0);

  const auto records = log_of("j1");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].state, DeliveryState::Delivered);
  EXPECT_EQ(records[0].attempts, 2);
  ASSERT_EQ(records[0].log.size(), 2u);
  EXPECT_EQ(records[0].log[0].number, 1);
  EXPECT_EQ(records[0].log[0].http_status, 500);
  EXPECT_EQ(records[0].log[0].latency, 7ms);
  EXPECT_EQ(records[0].log[0].next_retry_at, clock_.now());  // the retry time recorded then
  EXPECT_EQ(records[0].log[1].http_status, 200);
  EXPECT_FALSE(records[0].log[1].next_retry_at);
  EXPECT_TRUE(records[0].finished_at);
}

TEST_P(StoreOutbox, DueHostsNamesEachReceiverWithDueWorkOnce) {
  ASSERT_TRUE(store_->set_account_webhook("cl_1", "https://slow.example.com/", {}));
  for (const char* id : {"a", "b"}) {
    submit(new_job(id));
    ASSERT_TRUE(store_->cancel(id, "cl_1"));
  }
  submit(hooked_job("c"));
  ASSERT_TRUE(store_->cancel("c", "cl_1"));
  EXPECT_EQ(store_->due_hosts(clock_.now()).value(),
            (std::vector<std::string>{"hooks.example.com:443", "slow.example.com:443"}));

  // A receiver whose deliveries all wait for a later retry is not due.
  DueQuery query;
  query.now = clock_.now();
  query.host = "hooks.example.com:443";
  query.limit = 10;
  query.claimant = kSender;
  const DueDelivery c = store_->due_deliveries(query).value().at(0);
  ASSERT_TRUE(store_->record_attempts({attempt(c, 500, DeliveryState::Pending, clock_.now() + 10s)}));
  EXPECT_EQ(store_->due_hosts(clock_.now()).value(), std::vector<std::string>{"slow.example.com:443"});
  EXPECT_TRUE(store_->due_hosts(clock_.now() - 1s).value().empty());
}

TEST_P(StoreOutbox, DueQueryReadsOneReceiverAndClaimsWhatItReturns) {
  ASSERT_TRUE(store_->set_account_webhook("cl_1", "https://slow.example.com/", {}));
  for (const char* id : {"a", "b", "c"}) {
    submit(new_job(id));
    ASSERT_TRUE(store_->cancel(id, "cl_1"));
  }
  submit(hooked_job("other"));
  ASSERT_TRUE(store_->cancel("other", "cl_1"));

  DueQuery query;
  query.now = clock_.now();
  query.host = "slow.example.com:443";
  query.limit = 2;
  query.claimant = kSender;
  query.claim_for = kClaim;
  const auto first = store_->due_deliveries(query).value();
  ASSERT_EQ(first.size(), 2u);
  for (const auto& d : first) EXPECT_EQ(d.host, "slow.example.com:443");
  const auto second = store_->due_deliveries(query).value();
  ASSERT_EQ(second.size(), 1u) << "the claimed two are not due again";
  EXPECT_NE(second[0].id, first[0].id);
  EXPECT_NE(second[0].id, first[1].id);
  EXPECT_TRUE(store_->due_deliveries(query).value().empty());
  EXPECT_EQ(store_->due_hosts(clock_.now()).value(), std::vector<std::string>{"hooks.example.com:443"});
  EXPECT_EQ(store_->next_delivery_time(clock_.now()).value(), clock_.now() + kClaim) << "when the claims expire";

  // An expired claim (its sender died mid-attempt) makes the delivery due for anyone;
  // skipped ids (the sender's own attempts) are claimed again but not returned.
  clock_.advance(kClaim);
  query.now = clock_.now();
  query.limit = 3;
  query.claimant = "sender-2";
  query.skip_ids = {first[0].id};
  const auto retaken = store_->due_deliveries(query).value();
  ASSERT_EQ(retaken.size(), 2u);
  EXPECT_EQ(retaken[0].id, first[1].id);
  EXPECT_EQ(retaken[1].id, second[0].id);
}

TEST_P(StoreOutbox, AnAttemptUnderAClaimAnotherSenderTookOverLeavesTheScheduleToIt) {
  submit(hooked_job("j1"));
  ASSERT_TRUE(store_->cancel("j1", "cl_1"));
  const DueDelivery d = due().front();
  clock_.advance(kClaim);  // the first sender stalled past its claim
  DueQuery query;
  query.now = clock_.now();
  query.host = d.host;
  query.limit = 1;
  query.claimant = "sender-2";
  query.claim_for = kClaim;
  ASSERT_EQ(store_->due_deliveries(query).value().size(), 1u);
  ASSERT_TRUE(store_->record_attempts({attempt(d, 200, DeliveryState::Delivered)}));  // sender-1, late
  const auto records = log_of("j1");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].attempts, 1);
  EXPECT_EQ(records[0].state, DeliveryState::Pending) << "sender-2's attempt decides";
  AttemptRecord mine = attempt(d, 500, DeliveryState::Pending, clock_.now() + 5s);
  mine.claimant = "sender-2";
  ASSERT_TRUE(store_->record_attempts({mine}));
  EXPECT_EQ(store_->next_delivery_time(clock_.now()).value(), clock_.now() + 5s);
  EXPECT_EQ(log_of("j1").front().attempts, 2);
}

TEST_P(StoreOutbox, RedeliverKeepsTheIdAndRestartsAFinishedSeries) {
  submit(hooked_job("j1"));
  ASSERT_TRUE(store_->cancel("j1", "cl_1"));
  const DueDelivery d = due().front();
  ASSERT_TRUE(store_->record_attempts({attempt(d, 200, DeliveryState::Delivered)}));
  clock_.advance(1h);
  Result<DeliveryRecord> redelivered = store_->redeliver(d.id, "cl_1");
  ASSERT_TRUE(redelivered) << redelivered.error().message;
  EXPECT_EQ(redelivered->id, d.id);
  EXPECT_EQ(redelivered->state, DeliveryState::Pending);
  EXPECT_EQ(redelivered->next_attempt_at, clock_.now());
  const auto rows = due();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, d.id);
  EXPECT_EQ(rows[0].series_attempts, 0);
  EXPECT_GT(rows[0].version, d.version);
}

TEST_P(StoreOutbox, RedeliverIsNotFoundForAnotherClient) {
  submit(hooked_job("j1"));
  ASSERT_TRUE(store_->cancel("j1", "cl_1"));
  const DueDelivery d = due().front();
  Result<DeliveryRecord> theirs = store_->redeliver(d.id, "cl_2");
  ASSERT_FALSE(theirs);
  EXPECT_EQ(theirs.error().kind, ErrorKind::NotFound);
  EXPECT_TRUE(store_->deliveries_for_job("j1", "cl_2").value().empty());
}

TEST_P(StoreOutbox, AnAttemptFromBeforeARedeliveryDoesNotOverrideIt) {
  submit(hooked_job("j1"));
  ASSERT_TRUE(store_->cancel("j1", "cl_1"));
  const DueDelivery d = due().front();  // in flight with version 0
  ASSERT_TRUE(store_->redeliver(d.id, "cl_1"));
  EXPECT_TRUE(due().empty()) << "still claimed: the attempt in flight is recorded first";
  ASSERT_TRUE(store_->record_attempts({attempt(d, 500, DeliveryState::Pending, clock_.now() + 1h)}));
  const auto rows = due();
  ASSERT_EQ(rows.size(), 1u) << "the redelivery is still due now";
  EXPECT_EQ(log_of("j1").front().attempts, 1);
}

TEST_P(StoreOutbox, RotationKeepsThePreviousSecretUntilTheOverlapEnds) {
  Result<Client> rotated = store_->rotate_webhook_secret("cl_1", "whsec_bmV3", clock_.now() + 1h);
  ASSERT_TRUE(rotated) << rotated.error().message;
  EXPECT_EQ(rotated->webhook_secret, "whsec_bmV3");
  EXPECT_EQ(rotated->previous_webhook_secret, kAccountSecret);
  EXPECT_EQ(rotated->previous_secret_until, clock_.now() + 1h);
  submit(hooked_job("j1"));
  ASSERT_TRUE(store_->cancel("j1", "cl_1"));
  const DueDelivery d = due().front();
  EXPECT_EQ(d.account_secret, "whsec_bmV3");
  EXPECT_EQ(d.previous_account_secret, kAccountSecret);
  EXPECT_EQ(d.previous_secret_until, clock_.now() + 1h);
  EXPECT_FALSE(store_->rotate_webhook_secret("nobody", "whsec_x", clock_.now()));
}

TEST_P(StoreOutbox, PendingDeliveriesSurviveAReopenAtTheirDueTime) {
  submit(hooked_job("j1"));
  ASSERT_TRUE(store_->cancel("j1", "cl_1"));
  const DueDelivery d = due().front();
  ASSERT_TRUE(store_->record_attempts({attempt(d, 503, DeliveryState::Pending, clock_.now() + 30s)}));
  reopen();
  EXPECT_TRUE(due().empty());
  clock_.advance(30s);
  const auto rows = due();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].id, d.id);
}

TEST_P(StoreOutbox, PruneDeletesOnlyOldFinishedDeliveries) {
  submit(hooked_job("j1"));
  ASSERT_TRUE(store_->cancel("j1", "cl_1"));
  submit(hooked_job("j2"));
  ASSERT_TRUE(store_->cancel("j2", "cl_1"));
  const auto rows = due();
  ASSERT_TRUE(store_->record_attempts({attempt(rows[0], 200, DeliveryState::Delivered)}));
  clock_.advance(2h);
  EXPECT_EQ(store_->prune_deliveries(clock_.now() - 1h).value(), 1);
  EXPECT_TRUE(log_of("j1").empty());
  EXPECT_EQ(log_of("j2").size(), 1u);
}

TEST_P(StoreOutbox, TwoNodesClaimingAtOnceEachGetDifferentDeliveries) {
  constexpr int kDeliveries = 120;
  for (int i = 0; i < kDeliveries; ++i) {
    const std::string id = "j" + std::to_string(i);
    submit(hooked_job(id));
    ASSERT_TRUE(store_->cancel(id, "cl_1"));
  }
  std::unique_ptr<Store> other = open_store();  // a second node on the same database
  ASSERT_TRUE(other);
  // Each node claims in small rounds until nothing is due, as its engine would.
  auto drain = [this](Store& store, std::string claimant, std::vector<std::string>& got) {
    DueQuery query;
    query.now = clock_.now();
    query.host = "hooks.example.com:443";
    query.limit = 7;
    query.claimant = std::move(claimant);
    query.claim_for = kClaim;
    for (int round = 0; round < 1000; ++round) {
      Result<std::vector<DueDelivery>> rows = store.due_deliveries(query);
      if (!rows) {
        ADD_FAILURE() << rows.error().message;
        return;
      }
      if (rows->empty()) return;
      for (const DueDelivery& d : *rows) got.push_back(d.id);
    }
  };
  std::vector<std::string> one, two;
  std::thread first([&] { drain(*store_, "node-1", one); });
  std::thread second([&] { drain(*other, "node-2", two); });
  first.join();
  second.join();
  std::map<std::string, int> claims;
  for (const auto& id : one) ++claims[id];
  for (const auto& id : two) ++claims[id];
  EXPECT_EQ(claims.size(), static_cast<std::size_t>(kDeliveries)) << "every delivery claimed";
  for (const auto& [id, count] : claims) EXPECT_EQ(count, 1) << id << " claimed by both nodes";
  EXPECT_EQ(one.size() + two.size(), static_cast<std::size_t>(kDeliveries));
}

}  // namespace
}  // namespace genq
