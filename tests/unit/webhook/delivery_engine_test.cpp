// The delivery engine over a real SqliteStore, a ManualClock and a fake sender that
// answers when the test says so: retries, 410, per-receiver caps, restarts. No
// sockets, no sleeps: run_once() is one round of the engine's loop.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <deque>
#include <mutex>

#include "genq/webhook/delivery_engine.hpp"
#include "unit/webhook/webhook_store_fixture.hpp"

namespace genq::webhook {
namespace {

using namespace std::chrono_literals;

// Holds every request until the test answers it.
class FakeSender final : public WebhookSender {
 public:
  struct Sent {
    OutgoingRequest request;
    Done done;
  };
  void send(OutgoingRequest request, Done done) override {
    std::lock_guard lock(mutex_);
    pending_.push_back({std::move(request), std::move(done)});
    ++total_;
  }
  std::size_t waiting() {
    std::lock_guard lock(mutex_);
    return pending_.size();
  }
  std::size_t total() {
    std::lock_guard lock(mutex_);
    return total_;
  }
  // Answers the oldest request with `status` (nullopt = no response); returns it.
  OutgoingRequest answer(std::optional<int> status, std::optional<std::string> retry_after = std::nullopt) {
    Sent sent;
    {
      std::lock_guard lock(mutex_);
      sent = std::move(pending_.front());
      pending_.pop_front();
    }
    SendResult result;
    result.http_status = status;
    result.error = status ? "" : "Connection refused";
    result.latency = 3ms;
    result.retry_after = std::move(retry_after);
    sent.done(std::move(result));
    return sent.request;
  }
  std::vector<std::string> hosts_waiting() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> urls;
    for (const auto& s : pending_) urls.push_back(s.request.url);
    return urls;
  }

 private:
  std::mutex mutex_;
  std::deque<Sent> pending_;
  std::size_t total_ = 0;
};

std::string header(const OutgoingRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return {};
}

std::string text(const boost::json::value& v) { return v.is_string() ? std::string(v.get_string()) : "<not a string>"; }

class DeliveryEngineTest : public WebhookStoreFixture {
 protected:
  void SetUp() override {
    WebhookStoreFixture::SetUp();
    make_engine();
  }

  void make_engine(EngineOptions options = {}) {
    engine_.reset();
    auto sender = std::make_unique<FakeSender>();
    sender_ = sender.get();
    options.retry.scale = 1.0;
    engine_ = std::make_unique<DeliveryEngine>(
        *store_, std::move(sender), clock_,
        [](const DueDelivery& delivery) {
          return render_body(delivery, [](const std::string& key) { return "https://files.test/" + key; });
        },
        options);
  }

  // A cancelled job whose job.failed delivery goes to `url`.
  std::string cancelled_job(const std::string& id, const std::string& url = "https://hooks.example.com/in") {
    NewJob job = new_job(id);
    job.webhook_url = url;
    submit(job);
    EXPECT_TRUE(store_->cancel(id, "cl_1"));
    return id;
  }

  DeliveryRecord only_delivery(const std::string& job_id) {
    auto records = store_->deliveries_for_job(job_id, "cl_1");
    EXPECT_TRUE(records && records->size() == 1);
    return records && !records->empty() ? records->front() : DeliveryRecord{};
  }

  std::unique_ptr<DeliveryEngine> engine_;
  FakeSender* sender_ = nullptr;  // owned by engine_
};

TEST_F(DeliveryEngineTest, AFailingReceiverIsRetriedUntilItAnswersTwoHundred) {
  cancelled_job("j1");
  engine_->run_once();
  ASSERT_EQ(sender_->waiting(), 1u);
  const OutgoingRequest first = sender_->answer(500);
  engine_->run_once();  // records the failure, schedules the retry
  EXPECT_EQ(sender_->waiting(), 0u) << "not before the retry is due";

  clock_.advance(64s);  // retry 1 waits 1 min ± 5 %
  engine_->run_once();
  ASSERT_EQ(sender_->waiting(), 1u);
  const OutgoingRequest second = sender_->answer(500);
  engine_->run_once();
  clock_.advance(127s);  // retry 2 waits 2 min ± 5 %
  engine_->run_once();
  ASSERT_EQ(sender_->waiting(), 1u);
  const OutgoingRequest third = sender_->answer(200);
  engine_->run_once();

  EXPECT_EQ(header(first, "webhook-id"), header(third, "webhook-id"));
  EXPECT_EQ(header(second, "X-DeAPI-Delivery-Id"), header(third, "webhook-id"));
  EXPECT_EQ(first.body, third.body) << "the body is the same on every attempt";
  const DeliveryRecord record = only_delivery("j1");
  EXPECT_EQ(record.state, DeliveryState::Delivered);
  ASSERT_EQ(record.log.size(), 3u);
  EXPECT_EQ(record.log[0].http_status, 500);
  EXPECT_EQ(record.log[0].error, "HTTP 500");
  EXPECT_TRUE(record.log[0].next_retry_at);
  EXPECT_EQ(record.log[2].http_status, 200);
  EXPECT_EQ(engine_->stats().delivered, 1u);

  clock_.advance(24h);
  engine_->run_once();
  EXPECT_EQ(sender_->total(), 3u) << "nothing after success";
}

TEST_F(DeliveryEngineTest, GoneStopsEveryFurtherAttempt) {
  cancelled_job("j1");
  engine_->run_once();
  sender_->answer(410);
  engine_->run_once();
  clock_.advance(48h);
  engine_->run_once();
  EXPECT_EQ(sender_->total(), 1u);
  EXPECT_EQ(only_delivery("j1").state, DeliveryState::Gone);
}

TEST_F(DeliveryEngineTest, ADeliveryThatNeverSucceedsFailsAfterTenAttempts) {
  cancelled_job("j1");
  for (int attempt = 1; attempt <= 10; ++attempt) {
    engine_->run_once();
    ASSERT_EQ(sender_->waiting(), 1u) << "attempt " << attempt;
    sender_->answer(std::nullopt);
    engine_->run_once();
    clock_.advance(15h);  // longer than any jittered delay
  }
  engine_->run_once();
  EXPECT_EQ(sender_->total(), 10u);
  const DeliveryRecord record = only_delivery("j1");
  EXPECT_EQ(record.state, DeliveryState::Failed);
  EXPECT_EQ(record.log.back().error, "Connection refused");
  EXPECT_EQ(engine_->stats().failed, 1u);
}

TEST_F(DeliveryEngineTest, RetryAfterPostponesTheRetry) {
  cancelled_job("j1");
  engine_->run_once();
  sender_->answer(429, "3600");
  engine_->run_once();
  clock_.advance(59min);
  engine_->run_once();
  EXPECT_EQ(sender_->waiting(), 0u);
  clock_.advance(1min);
  engine_->run_once();
  EXPECT_EQ(sender_->waiting(), 1u);
}

TEST_F(DeliveryEngineTest, OneSlowReceiverDoesNotHoldUpTheOthers) {
  EngineOptions options;
  options.max_per_host = 2;
  options.max_in_flight = 4;
  make_engine(options);
  for (int i = 0; i < 6; ++i) cancelled_job("slow" + std::to_string(i), "https://slow.example.com/in");
  cancelled_job("fast", "https://fast.example.com/in");
  engine_->run_once();
  const auto urls = sender_->hosts_waiting();
  ASSERT_EQ(urls.size(), 3u);
  EXPECT_EQ(std::count(urls.begin(), urls.end(), "https://slow.example.com/in"), 2);
  EXPECT_EQ(std::count(urls.begin(), urls.end(), "https://fast.example.com/in"), 1);
}

TEST_F(DeliveryEngineTest, ARateLimitedReceiverGetsItsRateAndTheEngineWakesForTheRest) {
  EngineOptions options;
  options.rate_per_host = 4;  // a burst of 4, then one every 250 ms
  make_engine(options);
  for (int i = 0; i < 10; ++i) cancelled_job("burst" + std::to_string(i), "https://limited.example.com/in");
  cancelled_job("other", "https://other.example.com/in");

  Millis wait = engine_->run_once();
  EXPECT_EQ(sender_->total(), 5u) << "four to the limited receiver, and the other one's at once";
  EXPECT_EQ(wait, 250ms) << "due deliveries held back by the rate need their own wake-up";
  while (sender_->waiting() > 0) sender_->answer(200);

  clock_.advance(249ms);
  engine_->run_once();
  EXPECT_EQ(sender_->total(), 5u) << "no token yet";
  clock_.advance(1ms);
  engine_->run_once();
  EXPECT_EQ(sender_->total(), 6u);
  clock_.advance(1000ms);
  engine_->run_once();
  EXPECT_EQ(sender_->total(), 10u) << "a second's worth at most, never a backlog's";
  clock_.advance(1000ms);
  engine_->run_once();
  EXPECT_EQ(sender_->total(), 11u) << "everything went in the end";
}

TEST(HostRateLimit, ABucketHoldsOneSecondsWorthAndRefillsAtTheRate) {
  HostRateLimit limit(10);
  const TimePoint t0 = from_unix_ms(1'000'000);
  EXPECT_EQ(limit.available("a:443", t0), 10u);
  limit.spend("a:443", 10, t0);
  EXPECT_EQ(limit.available("a:443", t0), 0u);
  EXPECT_EQ(limit.next_send("a:443", t0), t0 + 100ms);
  EXPECT_EQ(limit.available("a:443", t0 + 350ms), 3u);
  EXPECT_EQ(limit.available("a:443", t0 + 60s), 10u) << "never more than the burst";
  EXPECT_EQ(limit.available("b:443", t0), 10u) << "receivers are limited apart";
  limit.forget_idle(t0 + 2s);
  EXPECT_EQ(limit.available("a:443", t0 + 2s), 10u);

  HostRateLimit slow(0.5);  // one every two seconds, a burst of one
  EXPECT_EQ(slow.available("a:443", t0), 1u);
  slow.spend("a:443", 1, t0);
  EXPECT_EQ(slow.next_send("a:443", t0), t0 + 2s);

  HostRateLimit none(0);
  EXPECT_FALSE(none.limited());
  EXPECT_EQ(none.next_send("a:443", t0), t0);
}

TEST_F(DeliveryEngineTest, RequestsAreSignedAndCarryTheDeapiEnvelope) {
  cancelled_job("j1");
  engine_->run_once();
  const OutgoingRequest request = sender_->answer(200);
  EXPECT_EQ(request.url, "https://hooks.example.com/in");
  EXPECT_EQ(header(request, "X-DeAPI-Event"), "job.failed");
  const std::string id = header(request, "webhook-id");
  const std::int64_t ts = std::stoll(header(request, "webhook-timestamp"));
  EXPECT_EQ(ts, to_unix_ms(clock_.now()) / 1000);
  EXPECT_EQ(header(request, "webhook-signature"), standard_signature(kAccountSecret, id, ts, request.body));
  EXPECT_EQ(header(request, "X-DeAPI-Signature"), deapi_signature(kAccountSecret, ts, request.body));
  const auto body = boost::json::parse(request.body).as_object();
  EXPECT_EQ(body.at("event"), "job.failed");
  EXPECT_EQ(text(body.at("delivery_id")), id);
  const auto& data = body.at("data").as_object();
  EXPECT_EQ(data.at("job_request_id"), "j1");
  EXPECT_EQ(data.at("status"), "error");
  EXPECT_EQ(data.at("previous_status"), "pending");
  EXPECT_EQ(data.at("job_type"), "txt2img");
  EXPECT_EQ(data.at("error_code"), "UNKNOWN_ERROR");
  EXPECT_EQ(data.at("error_message"), "cancelled");
}

TEST_F(DeliveryEngineTest, ACompletedJobCarriesASignedResultUrl) {
  NewJob job = new_job("j1");
  job.webhook_url = "https://hooks.example.com/in";
  submit(job);
  const LeaseRef lease = claim_one();
  clock_.advance(2s);
  ASSERT_TRUE(store_->complete(lease, JobResult{"results/j1/output.png", "image/png", std::nullopt}));
  engine_->run_once();
  ASSERT_EQ(sender_->waiting(), 2u);
  sender_->answer(200);  // job.processing
  const auto body = boost::json::parse(sender_->answer(200).body).as_object();
  const auto& data = body.at("data").as_object();
  EXPECT_EQ(body.at("event"), "job.completed");
  EXPECT_EQ(data.at("status"), "done");
  EXPECT_EQ(data.at("previous_status"), "processing");
  EXPECT_EQ(data.at("result_url"), "https://files.test/results/j1/output.png");
  EXPECT_EQ(data.at("processing_time_ms"), 2000);
  EXPECT_EQ(text(data.at("completed_at")), to_iso8601(clock_.now()));
}

TEST_F(DeliveryEngineTest, AnEngineAfterARestartResumesPendingDeliveriesAtTheirDueTime) {
  cancelled_job("j1");
  engine_->run_once();
  sender_->answer(503);
  engine_->run_once();
  engine_.reset();  // the old engine and store are gone, as after kill -9 and restart
  reopen();
  make_engine();
  engine_->run_once();
  EXPECT_EQ(sender_->total(), 0u) << "not before its due time";
  clock_.advance(64s);
  engine_->run_once();
  EXPECT_EQ(sender_->total(), 1u);
}

TEST_F(DeliveryEngineTest, AnAttemptInFlightAtAStopIsSentAgainByTheNextEngineOnceItsClaimExpires) {
  cancelled_job("j1");
  engine_->run_once();
  ASSERT_EQ(sender_->waiting(), 1u);
  make_engine();  // abandons the attempt without recording it; a new engine, a new claimant
  engine_->run_once();
  EXPECT_EQ(sender_->total(), 0u) << "still claimed by the engine that was sending it";
  clock_.advance(EngineOptions{}.claim_for);
  engine_->run_once();
  EXPECT_EQ(sender_->total(), 1u);
  EXPECT_EQ(only_delivery("j1").state, DeliveryState::Pending);
}

TEST_F(DeliveryEngineTest, TwoEnginesOnOneStoreNeverSendTheSameAttempt) {
  EngineOptions one_at_a_time;
  one_at_a_time.max_per_host = 1;
  make_engine(one_at_a_time);
  cancelled_job("j1");
  cancelled_job("j2");
  auto other_sender = std::make_unique<FakeSender>();
  FakeSender& other = *other_sender;
  DeliveryEngine second(*store_, std::move(other_sender), clock_,
                        [](const DueDelivery& d) { return std::string("{\"id\":\"") + d.id + "\"}"; }, {});
  engine_->run_once();
  second.run_once();
  EXPECT_EQ(sender_->total(), 1u);
  EXPECT_EQ(other.total(), 1u) << "the second engine takes the delivery the first did not claim";
  EXPECT_NE(header(sender_->answer(200), "webhook-id"), header(other.answer(200), "webhook-id"));
  engine_->run_once();
  second.run_once();
  EXPECT_EQ(sender_->total() + other.total(), 2u) << "nothing sent twice";
  EXPECT_EQ(only_delivery("j1").state, DeliveryState::Delivered);
  EXPECT_EQ(only_delivery("j2").state, DeliveryState::Delivered);
  EXPECT_NE(engine_->claimant(), second.claimant());
}

TEST_F(DeliveryEngineTest, RedeliverySendsTheSameIdAgain) {
  cancelled_job("j1");
  engine_->run_once();
  const std::string id = header(sender_->answer(200), "webhook-id");
  engine_->run_once();
  ASSERT_TRUE(store_->redeliver(id, "cl_1"));
  engine_->run_once();
  ASSERT_EQ(sender_->waiting(), 1u);
  EXPECT_EQ(header(sender_->answer(200), "webhook-id"), id);
  engine_->run_once();
  EXPECT_EQ(only_delivery("j1").log.size(), 2u);
}

}  // namespace
}  // namespace genq::webhook

namespace genq::webhook {
namespace {

// docs/webhooks.md, "Endpoint health".
class EndpointHealthTest : public DeliveryEngineTest {
 protected:
  static constexpr const char* kAccountUrl = "https://account.example.com/in";

  void SetUp() override {
    DeliveryEngineTest::SetUp();
    ASSERT_TRUE(store_->set_account_webhook("cl_1", kAccountUrl, {}));
  }

  void make_engine_with(EndpointRules rules) {
    EngineOptions options;
    options.endpoint_rules = rules;
    options.on_endpoint_disabled = [this](const DisabledEndpoint& endpoint) { heard_.push_back(endpoint); };
    make_engine(options);
  }

  // A cancelled job without a webhook of its own: its job.failed goes to the account's.
  void cancelled_for_account(const std::string& id) {
    submit(new_job(id));
    ASSERT_TRUE(store_->cancel(id, "cl_1"));
  }

  WebhookHealth health() {
    Result<Client> client = store_->get_client("cl_1");
    EXPECT_TRUE(client) << client.error().message;
    return client ? client->webhook_health : WebhookHealth{};
  }

  std::vector<DisabledEndpoint> heard_;
};

TEST_F(EndpointHealthTest, FailuresInARowDisableTheAccountWebhookUntilRecoverSendsEveryFailedDeliveryAgain) {
  make_engine_with({Millis(0), 3});
  for (const char* id : {"a", "b", "c"}) cancelled_for_account(id);
  engine_->run_once();
  ASSERT_EQ(sender_->waiting(), 3u);
  for (int i = 0; i < 3; ++i) sender_->answer(500);
  engine_->run_once();
  ASSERT_EQ(heard_.size(), 1u) << "one webhook.disabled notice";
  EXPECT_EQ(heard_[0].client_id, "cl_1");
  EXPECT_EQ(heard_[0].url, kAccountUrl);
  EXPECT_EQ(heard_[0].reason, "3 attempts in a row failed");
  ASSERT_TRUE(health().disabled_at);
  EXPECT_EQ(health().disabled_reason, "3 attempts in a row failed");
  EXPECT_EQ(engine_->stats().endpoints_disabled, 1u);

  // Nothing more is sent to it: neither the retries nor a new delivery.
  cancelled_for_account("d");
  clock_.advance(10min);
  engine_->run_once();
  EXPECT_EQ(sender_->total(), 3u);
  for (const char* id : {"a", "b", "c", "d"}) {
    const DeliveryRecord record = only_delivery(id);
    EXPECT_EQ(record.state, DeliveryState::Failed) << id;
    ASSERT_FALSE(record.log.empty());
    EXPECT_NE(record.log.back().error.find("account webhook is disabled"), std::string::npos) << record.log.back().error;
  }

  // Recover: enabled again, and the failed deliveries of the window go out again.
  Result<std::int64_t> recovered = store_->recover_account_webhook("cl_1", clock_.now() - 1h, clock_.now());
  ASSERT_TRUE(recovered) << recovered.error().message;
  EXPECT_EQ(*recovered, 4);
  EXPECT_FALSE(health().disabled_at);
  engine_->run_once();
  ASSERT_EQ(sender_->waiting(), 4u);
  for (int i = 0; i < 4; ++i) sender_->answer(200);
  engine_->run_once();
  for (const char* id : {"a", "b", "c", "d"}) EXPECT_EQ(only_delivery(id).state, DeliveryState::Delivered) << id;
  EXPECT_EQ(health().consecutive_failures, 0);
}

TEST_F(EndpointHealthTest, ASuccessStartsTheCountAfreshAndAJobsOwnWebhookDoesNotCount) {
  make_engine_with({Millis(0), 3});
  cancelled_for_account("a");
  cancelled_for_account("b");
  cancelled_job("own1", "https://job.example.com/in");
  cancelled_job("own2", "https://job.example.com/in");
  engine_->run_once();
  ASSERT_EQ(sender_->waiting(), 4u);
  for (int i = 0; i < 4; ++i) sender_->answer(500);
  engine_->run_once();
  EXPECT_EQ(health().consecutive_failures, 2) << "the job's own URL is not the account's endpoint";
  cancelled_for_account("c");
  engine_->run_once();
  sender_->answer(200);
  engine_->run_once();
  EXPECT_EQ(health().consecutive_failures, 0);
  EXPECT_FALSE(health().failing_since);
  EXPECT_TRUE(heard_.empty());
}

TEST_F(EndpointHealthTest, AnEndpointFailingEveryAttemptForTheConfiguredTimeIsDisabledAndANewPutEnablesIt) {
  make_engine_with({std::chrono::hours(1), 0});
  cancelled_for_account("a");
  engine_->run_once();
  sender_->answer(500);
  engine_->run_once();
  ASSERT_TRUE(health().failing_since);
  EXPECT_FALSE(health().disabled_at) << "failing, not for an hour yet";
  clock_.advance(61min);
  cancelled_for_account("b");
  engine_->run_once();  // b, and a's first retry (due after a minute)
  while (sender_->waiting() > 0) sender_->answer(503);
  engine_->run_once();
  ASSERT_TRUE(health().disabled_at);
  EXPECT_TRUE(health().disabled_reason.starts_with("every attempt failed since ")) << health().disabled_reason;
  ASSERT_EQ(heard_.size(), 1u);

  ASSERT_TRUE(store_->set_account_webhook("cl_1", kAccountUrl, {}));
  EXPECT_FALSE(health().disabled_at) << "saving the settings enables it again";
  EXPECT_EQ(health().consecutive_failures, 0);
}

}  // namespace
}  // namespace genq::webhook
