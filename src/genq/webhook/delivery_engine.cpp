#include "genq/webhook/delivery_engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

#include "genq/logging/log_context.hpp"
#include "genq/webhook/signer.hpp"

namespace genq::webhook {
namespace {

// How often finished deliveries past their log_ttl are pruned.
constexpr Millis kPruneEvery = std::chrono::minutes(10);
// After the store failed to record attempts, wait this long before sending more:
// a store that cannot write would otherwise make every due delivery go out again
// at once, round after round.
constexpr Millis kStoreTroubleWait{1'000};

std::string attempt_error(const SendResult& result) {
  if (!result.http_status) {
    return result.error.empty() ? "no response" : result.error;
  }
  if (*result.http_status >= 200 && *result.http_status < 300) {
    return {};
  }
  return "HTTP " + std::to_string(*result.http_status);
}

// One line per attempt that did not deliver, under the submit's request id.
void log_failed_attempt(const AttemptRecord& record, const std::string& job_id, const std::string& submit_request_id,
                        int number) {
  if (record.state == DeliveryState::Delivered) {
    return;
  }
  log_context::RequestScope scope(submit_request_id);
  if (record.state == DeliveryState::Pending) {
    spdlog::info("webhook {} of job {}: attempt {} failed ({}), retried later", record.delivery_id, job_id,
                 number, record.error);
  } else if (record.state == DeliveryState::Gone) {
    spdlog::warn("webhook {} of job {}: attempt {} answered {}: the receiver is gone, no retry", record.delivery_id,
                 job_id, number, record.error);
  } else {
    spdlog::warn("webhook {} of job {} failed after its last retry (attempt {}): {}", record.delivery_id,
                 job_id, number, record.error);
  }
}

}  // namespace

DeliveryEngine::DeliveryEngine(DeliveryStore& store, std::unique_ptr<WebhookSender> sender, const Clock& clock,
                               BodyFn body, EngineOptions options)
    : store_(store),
      sender_(std::move(sender)),
      clock_(clock),
      body_(std::move(body)),
      options_(options),
      random_(std::random_device{}()) {
  std::random_device device;
  claimant_ = fmt::format("{:08x}{:08x}", device(), device());
}

DeliveryEngine::~DeliveryEngine() { stop(); }

void DeliveryEngine::start() {
  thread_ = std::thread([this] { run(); });
  running_.store(true, std::memory_order_relaxed);
}

void DeliveryEngine::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  running_.store(false, std::memory_order_relaxed);
  // Destroying the sender joins its thread: no completion can arrive after this.
  sender_.reset();
}

void DeliveryEngine::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_one();
}

DeliveryStats DeliveryEngine::stats() const {
  DeliveryStats s;
  s.attempts_ok = attempts_ok_.load();
  s.attempts_http_error = attempts_http_error_.load();
  s.attempts_no_response = attempts_no_response_.load();
  s.delivered = delivered_.load();
  s.failed = failed_.load();
  s.gone = gone_.load();
  s.record_errors = record_errors_.load();
  s.endpoints_disabled = endpoints_disabled_.load();
  s.in_flight = in_flight_count_.load();
  return s;
}

void DeliveryEngine::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const Millis wait = run_once();
    lock.lock();
    cv_.wait_for(lock, wait, [&] { return stopping_ || woken_ || !finished_.empty(); });
  }
}

Millis DeliveryEngine::run_once() {
  std::vector<Finished> finished;
  {
    std::lock_guard lock(mutex_);
    finished.swap(finished_);
    woken_ = false;
  }
  const TimePoint now = clock_.now();
  // Slots of finished attempts are freed and refilled before the attempts are
  // recorded: the next requests are on the wire while the record's commit waits for
  // its fsync. Until then the finished ids stay in recording_, out of the due queries.
  std::vector<AttemptRecord> records = settle(finished, now);
  if (store_trouble_) {
    store_trouble_ = false;
    record(std::move(records));
    return kStoreTroubleWait;
  }
  prune(now);
  if (sender_) {
    dispatch(now);
  }
  std::move(skipped_.begin(), skipped_.end(), std::back_inserter(records));
  skipped_.clear();
  record(std::move(records));
  note_endpoint_attempts();
  Result<std::optional<TimePoint>> next = store_.next_delivery_time(now);
  if (!next) {
    spdlog::warn("webhooks: cannot read the next due time: {}", next.error().message);
    return options_.idle_wait;
  }
  // Deliveries due now but held back by a cap need no timer: a finishing attempt
  // wakes the engine. Those held back by a rate do: rate_wake_.
  Millis wait = *next ? std::clamp(std::chrono::duration_cast<Millis>(**next - now), Millis(1), options_.idle_wait)
                      : options_.idle_wait;
  if (rate_wake_) wait = std::clamp(std::chrono::duration_cast<Millis>(*rate_wake_ - now), Millis(1), wait);
  return wait;
}

void DeliveryEngine::dispatch(TimePoint now) {
  rate_wake_.reset();
  if (in_flight_.size() >= options_.max_in_flight) {
    return;
  }
  Result<std::vector<std::string>> hosts = store_.due_hosts(now);
  if (!hosts) {
    spdlog::warn("webhooks: cannot read due receivers: {}", hosts.error().message);
    return;
  }
  // Serve receivers round-robin from where the last round stopped, so that when the
  // global cap binds, the same receivers do not always come first.
  auto first = std::upper_bound(hosts->begin(), hosts->end(), last_host_);
  std::rotate(hosts->begin(), first, hosts->end());
  for (const std::string& host : *hosts) {
    if (in_flight_.size() >= options_.max_in_flight) {
      return;
    }
    const std::size_t busy = per_host_.count(host) ? per_host_[host] : 0;
    if (busy >= options_.max_per_host) {
      continue;  // at its cap: its own attempts finishing will wake us
    }
    const std::size_t allowed = rate_limit_.available(host, now);
    if (allowed == 0) {
      hold_for_rate(host, now);
      continue;
    }
    DueQuery query;
    query.now = now;
    query.host = host;
    query.limit = std::min({options_.max_per_host - busy, options_.max_in_flight - in_flight_.size(), allowed});
    query.claimant = claimant_;
    query.claim_for = options_.claim_for;
    for (const auto& [id, attempt] : in_flight_) {
      if (attempt.host == host) query.skip_ids.push_back(id);
    }
    for (const auto& [id, attempt_host] : recording_) {
      if (attempt_host == host) query.skip_ids.push_back(id);
    }
    Result<std::vector<DueDelivery>> due = store_.due_deliveries(query);
    if (!due) {
      spdlog::warn("webhooks: cannot read due deliveries of {}: {}", host, due.error().message);
      continue;
    }
    for (const DueDelivery& delivery : *due) {
      if (delivery.endpoint_disabled) {
        skip_disabled(delivery, now);
      } else {
        send(delivery, now);
      }
    }
    rate_limit_.spend(host, due->size(), now);
    if (due->size() == allowed) hold_for_rate(host, now);  // its rate may hold back more
    last_host_ = host;
  }
}

void DeliveryEngine::send(const DueDelivery& delivery, TimePoint now) {
  const std::string body = body_(delivery);
  const std::int64_t timestamp = to_unix_ms(now) / 1000;
  OutgoingRequest request;
  request.url = delivery.url;
  request.headers =
      signed_headers(delivery.event, delivery.id, timestamp, body, signing_secrets(delivery, now));
  request.body = body;
  // The submit's request id: the receiver's logs join the client's and genq's on it.
  if (!delivery.submit_request_id.empty()) {
    request.headers.emplace_back("X-Request-Id", delivery.submit_request_id);
  }

  in_flight_[delivery.id] = InFlight{delivery.host,      delivery.version, delivery.series_attempts,
                                     now,                delivery.job_id,  delivery.submit_request_id,
                                     delivery.client_id, delivery.url,     delivery.account_endpoint};
  ++per_host_[delivery.host];
  in_flight_count_.store(in_flight_.size());
  sender_->send(std::move(request), [this, id = delivery.id](SendResult result) {
    {
      std::lock_guard lock(mutex_);
      finished_.push_back(Finished{id, std::move(result)});
    }
    cv_.notify_one();
  });
}

void DeliveryEngine::skip_disabled(const DueDelivery& delivery, TimePoint now) {
  AttemptRecord record;
  record.delivery_id = delivery.id;
  record.version = delivery.version;
  record.claimant = claimant_;
  record.started_at = now;
  record.error = "not sent: the account webhook is disabled (" + delivery.endpoint_disabled_reason +
                 "); POST /api/v1/client/account/webhook/recover sends it again";
  record.state = DeliveryState::Failed;
  log_failed_attempt(record, delivery.job_id, delivery.submit_request_id, delivery.series_attempts + 1);
  recording_.emplace(delivery.id, delivery.host);
  skipped_.push_back(std::move(record));
}

std::vector<AttemptRecord> DeliveryEngine::settle(std::vector<Finished>& finished, TimePoint now) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<AttemptRecord> records;
  records.reserve(finished.size());
  for (Finished& f : finished) {
    auto it = in_flight_.find(f.delivery_id);
    if (it == in_flight_.end()) {
      continue;  // not ours (cannot happen: every send is registered first)
    }
    const InFlight attempt = it->second;
    in_flight_.erase(it);
    if (auto host = per_host_.find(attempt.host); host != per_host_.end() && --host->second == 0) {
      per_host_.erase(host);
    }
    recording_.emplace(f.delivery_id, attempt.host);

    AttemptResult outcome;
    outcome.http_status = f.result.http_status;
    if (f.result.retry_after) {
      outcome.retry_after = parse_retry_after(*f.result.retry_after, now);
    }
    const NextStep next = next_step(attempt.series_attempts + 1, outcome, now, options_.retry, unit(random_));

    AttemptRecord record;
    record.delivery_id = f.delivery_id;
    record.version = attempt.version;
    record.claimant = claimant_;
    record.started_at = attempt.started_at;
    record.latency = f.result.latency;
    attempt_seconds_.observe(std::chrono::duration<double>(f.result.latency).count());
    record.http_status = f.result.http_status;
    record.error = attempt_error(f.result);
    record.state = next.state;
    record.next_attempt_at = next.next_attempt_at;
    log_failed_attempt(record, attempt.job_id, attempt.submit_request_id, attempt.series_attempts + 1);
    if (attempt.account_endpoint) {
      endpoint_attempts_.push_back(
          {attempt.client_id, attempt.url, record.state == DeliveryState::Delivered, attempt.started_at});
    }
    records.push_back(std::move(record));

    if (!f.result.http_status) {
      ++attempts_no_response_;
    } else if (next.state == DeliveryState::Delivered) {
      ++attempts_ok_;
    } else {
      ++attempts_http_error_;
    }
  }
  in_flight_count_.store(in_flight_.size());
  return records;
}

void DeliveryEngine::record(std::vector<AttemptRecord> records) {
  if (records.empty()) {
    return;
  }
  Status recorded = store_.record_attempts(records);
  for (const AttemptRecord& r : records) {
    recording_.erase(r.delivery_id);
  }
  if (!recorded) {
    // The deliveries stay pending and claimed in the store, so they go out again when
    // the claim expires: a receiver may see a delivery id twice, never zero times.
    record_errors_ += records.size();
    store_trouble_ = true;
    endpoint_attempts_.clear();  // the attempts count when they are made again
    recording_failed_.store(true, std::memory_order_relaxed);
    spdlog::error("webhooks: cannot record {} attempts: {}", records.size(), recorded.error().message);
    return;
  }
  recording_failed_.store(false, std::memory_order_relaxed);
  for (const AttemptRecord& r : records) {
    switch (r.state) {
      case DeliveryState::Delivered: ++delivered_; break;
      case DeliveryState::Failed: ++failed_; break;
      case DeliveryState::Gone: ++gone_; break;
      case DeliveryState::Pending: break;
    }
  }
}

void DeliveryEngine::note_endpoint_attempts() {
  if (endpoint_attempts_.empty() || store_trouble_) {
    return;
  }
  Result<std::vector<DisabledEndpoint>> disabled =
      store_.note_endpoint_attempts(endpoint_attempts_, options_.endpoint_rules);
  endpoint_attempts_.clear();
  if (!disabled) {
    // Health is advice: losing one round's count delays a disable, never a delivery.
    spdlog::warn("webhooks: cannot update the account webhooks' health: {}", disabled.error().message);
    return;
  }
  for (const DisabledEndpoint& endpoint : *disabled) {
    ++endpoints_disabled_;
    spdlog::warn("webhooks: account webhook {} of client {} disabled: {}; nothing is sent to it until "
                 "POST /api/v1/client/account/webhook/recover or a new PUT of the settings",
                 endpoint.url, endpoint.client_id, endpoint.reason);
    if (options_.on_endpoint_disabled) options_.on_endpoint_disabled(endpoint);
  }
}

void DeliveryEngine::hold_for_rate(const std::string& host, TimePoint now) {
  const TimePoint next = rate_limit_.next_send(host, now);
  if (!rate_wake_ || next < *rate_wake_) rate_wake_ = next;
}

void DeliveryEngine::prune(TimePoint now) {
  if (next_prune_ && now < *next_prune_) {
    return;
  }
  next_prune_ = now + kPruneEvery;
  rate_limit_.forget_idle(now);
  Result<std::int64_t> pruned = store_.prune_deliveries(now - options_.log_ttl);
  if (!pruned) {
    spdlog::warn("webhooks: cannot prune the delivery log: {}", pruned.error().message);
  } else if (*pruned > 0) {
    spdlog::info("webhooks: pruned {} deliveries older than the log's retention", *pruned);
  }
}

}  // namespace genq::webhook
