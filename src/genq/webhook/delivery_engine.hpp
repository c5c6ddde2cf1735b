#pragma once
// The webhook delivery engine: reads due deliveries from the outbox (DeliveryStore),
// signs and sends them through a WebhookSender, records every attempt and schedules
// the next one (retry_schedule.hpp). Everything it knows survives in the store, so a
// restart resumes each pending delivery at its due time; a delivery in flight during
// a crash is sent again once its claim expires (at-least-once: receivers de-duplicate
// by delivery id).
//
// Several nodes: each engine claims the deliveries it reads as due under its own
// random claimant id (DeliveryStore::due_deliveries), so an attempt goes out from one
// node only; a node that dies mid-attempt leaves claims that expire after claim_for,
// and then any node sends the delivery (docs/scale-out.md, "Webhook delivery").
//
// Concurrency: at most max_in_flight deliveries at once and max_per_host per receiver
// ("host:port"), and with rate_per_host at most that many started per second to each
// receiver, so one slow receiver cannot hold up the others, nor a burst flood one: each round asks the
// store which receivers have deliveries due and reads each receiver's own due range,
// so a receiver's backlog is never scanned to reach another's. Finished attempts are
// recorded in one store transaction per round (one fsync for many attempts), after
// their freed slots have been refilled.
//
// Threads: start() runs the engine on its own thread; wake() and the sender's
// completions may come from any thread. Owns the sender; borrows the store and clock,
// which must outlive it. Without start(), tests drive it with run_once().
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/metrics/histogram.hpp"
#include "genq/store/delivery_store.hpp"
#include "genq/webhook/host_rate_limit.hpp"
#include "genq/webhook/payload.hpp"
#include "genq/webhook/retry_schedule.hpp"
#include "genq/webhook/sender.hpp"

namespace genq::webhook {

struct EngineOptions {
  std::size_t max_in_flight = 256;
  std::size_t max_per_host = 16;
  // Deliveries per second to one receiver, this node's (host_rate_limit.hpp); 0 = no limit.
  double rate_per_host = 0;
  RetryPolicy retry;
  // The longest the engine sleeps without being woken: new deliveries wake it at
  // once, so this only bounds how late a clock jump or a write by another process is
  // noticed.
  Millis idle_wait{5'000};
  // How long a claimed delivery is this engine's alone: longer than an attempt can
  // take (the sender's timeout) plus recording it. Also how late a delivery whose
  // node died mid-attempt goes out from another node.
  Millis claim_for{60'000};
  // Final deliveries stay in the delivery log this long, then are pruned.
  Millis log_ttl{std::chrono::hours(7 * 24)};
  // When an account webhook is disabled (docs/webhooks.md, "Endpoint health"), and who
  // hears of it (on the engine's thread; may be empty).
  EndpointRules endpoint_rules;
  std::function<void(const DisabledEndpoint&)> on_endpoint_disabled;
};

// Counters since start, for /metrics.
struct DeliveryStats {
  std::uint64_t attempts_ok = 0;          // 2xx
  std::uint64_t attempts_http_error = 0;  // another status
  std::uint64_t attempts_no_response = 0;  // timeout, refused, TLS, address guard
  std::uint64_t delivered = 0;
  std::uint64_t failed = 0;  // retries exhausted
  std::uint64_t gone = 0;    // 410
  std::uint64_t record_errors = 0;  // attempts the store could not record
  std::uint64_t endpoints_disabled = 0;  // account webhooks disabled by their health
  std::size_t in_flight = 0;
};

// For /readyz: whether the engine runs and could record its last attempts.
struct EngineHealth {
  bool running = false;
  bool recording = true;  // false: the last attempts could not be written to the store
};

class DeliveryEngine {
 public:
  DeliveryEngine(DeliveryStore& store, std::unique_ptr<WebhookSender> sender, const Clock& clock,
                 BodyFn body, EngineOptions options);
  ~DeliveryEngine();
  DeliveryEngine(const DeliveryEngine&) = delete;
  DeliveryEngine& operator=(const DeliveryEngine&) = delete;

  void start();
  // Stops the thread and the sender; attempts in flight are abandoned (still pending
  // in the store, so they are sent again after a restart). Idempotent.
  void stop();
  // New deliveries may be due (a job transition committed, a redelivery): look now.
  void wake();

  // One round on the calling thread: records finished attempts, starts due
  // deliveries. Returns how long until more work may be due.
  // Requires: not started (the engine thread is the only caller once started).
  Millis run_once();

  DeliveryStats stats() const;
  EngineHealth health() const {
    return {running_.load(std::memory_order_relaxed), !recording_failed_.load(std::memory_order_relaxed)};
  }
  const Clock& clock() const { return clock_; }
  // Seconds from sending an attempt to its answer (or its failure), every attempt.
  const Histogram& attempt_seconds() const { return attempt_seconds_; }
  // The id this engine claims deliveries under (random per engine).
  const std::string& claimant() const { return claimant_; }

 private:
  struct InFlight {
    std::string host;
    std::int64_t version = 0;
    int series_attempts = 0;
    TimePoint started_at{};
    std::string job_id;
    std::string submit_request_id;  // the attempt's log lines carry it as request_id
    std::string client_id;
    std::string url;
    bool account_endpoint = false;  // its attempts count toward the account webhook's health
  };
  struct Finished {
    std::string delivery_id;
    SendResult result;
  };

  void run();
  // Frees the slots of finished attempts and decides what follows each.
  std::vector<AttemptRecord> settle(std::vector<Finished>& finished, TimePoint now);
  // Writes the attempts in one transaction.
  void record(std::vector<AttemptRecord> records);
  // Starts every due delivery the caps allow, receiver by receiver.
  void dispatch(TimePoint now);
  void send(const DueDelivery& delivery, TimePoint now);
  // Ends a delivery to a disabled account webhook without sending it (skipped_).
  void skip_disabled(const DueDelivery& delivery, TimePoint now);
  // Applies the account-webhook attempts of recorded rounds to their endpoints' health.
  void note_endpoint_attempts();
  // Notes when `host`, held back by its rate, may send again (rate_wake_).
  void hold_for_rate(const std::string& host, TimePoint now);
  void prune(TimePoint now);

  DeliveryStore& store_;
  std::unique_ptr<WebhookSender> sender_;
  const Clock& clock_;
  BodyFn body_;
  const EngineOptions options_;

  // Touched only by the thread running run_once().
  std::unordered_map<std::string, InFlight> in_flight_;  // delivery id -> attempt
  std::unordered_map<std::string, std::size_t> per_host_;
  HostRateLimit rate_limit_{options_.rate_per_host};
  // The earliest time a receiver held back by its rate this round has a send again:
  // its deliveries are due already, so no due time would wake the engine for them.
  std::optional<TimePoint> rate_wake_;
  // Finished attempts not yet recorded (delivery id -> host): still pending in the
  // store, so the due queries must skip them.
  std::unordered_map<std::string, std::string> recording_;
  // Deliveries to disabled endpoints ended this round, recorded with its attempts.
  std::vector<AttemptRecord> skipped_;
  // Account-webhook attempts recorded but not yet applied to their health.
  std::vector<EndpointAttempt> endpoint_attempts_;
  std::string last_host_;  // where the last round-robin pass over receivers stopped
  std::mt19937_64 random_;
  std::string claimant_;
  std::optional<TimePoint> next_prune_;
  bool store_trouble_ = false;  // the last recording failed: back off before sending more
  std::atomic<bool> running_{false};
  std::atomic<bool> recording_failed_{false};
  Histogram attempt_seconds_{buckets::request_seconds()};

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Finished> finished_;  // GUARDED_BY(mutex_)
  bool woken_ = false;              // GUARDED_BY(mutex_)
  bool stopping_ = false;           // GUARDED_BY(mutex_)
  std::thread thread_;

  std::atomic<std::uint64_t> attempts_ok_{0}, attempts_http_error_{0}, attempts_no_response_{0};
  std::atomic<std::uint64_t> delivered_{0}, failed_{0}, gone_{0}, record_errors_{0}, endpoints_disabled_{0};
  std::atomic<std::size_t> in_flight_count_{0};
};

}  // namespace genq::webhook
