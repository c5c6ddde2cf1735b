#include "genq/app/webhook_setup.hpp"

#include <CLI/CLI.hpp>

#include <chrono>

#include "genq/webhook/curl_sender.hpp"

namespace genq::app {

void add_webhook_options(CLI::App& cmd, WebhookConfig& c) {
  cmd.add_option("--webhook-timeout-ms", c.timeout_ms, "Time allowed for one webhook attempt (connect to last byte)")
      ->envname("GENQ_WEBHOOK_TIMEOUT_MS")->check(CLI::Range(std::int64_t{100}, std::int64_t{120'000}))
      ->capture_default_str();
  cmd.add_option("--webhook-retry-scale", c.retry_scale,
                 "Multiplies every webhook retry wait (1 = the documented ~24 h schedule; tests use 0.001)")
      ->envname("GENQ_WEBHOOK_RETRY_SCALE")->check(CLI::Range(0.0, 1000.0))->capture_default_str();
  cmd.add_option("--webhook-max-in-flight", c.max_in_flight, "Webhook deliveries in flight at once")
      ->envname("GENQ_WEBHOOK_MAX_IN_FLIGHT")->check(CLI::Range(1, 10'000))->capture_default_str();
  cmd.add_option("--webhook-max-per-host", c.max_per_host, "Webhook deliveries in flight to one receiver (host:port)")
      ->envname("GENQ_WEBHOOK_MAX_PER_HOST")->check(CLI::Range(1, 10'000))->capture_default_str();
  cmd.add_option("--webhook-rate-per-host", c.rate_per_host,
                 "Webhook deliveries started per second to one receiver (host:port), per node; 0 = no limit")
      ->envname("GENQ_WEBHOOK_RATE_PER_HOST")->check(CLI::Range(0.0, 100'000.0))->capture_default_str();
  cmd.add_option("--webhook-allow-cidr", c.allow_cidrs,
                 "Networks webhooks may reach although private, e.g. 10.1.0.0/16 (comma-separated)")
      ->envname("GENQ_WEBHOOK_ALLOW_CIDR")->delimiter(',');
  cmd.add_option("--webhook-secret-overlap-s", c.secret_overlap_s,
                 "After a secret rotation, how long the previous account secret keeps signing")
      ->envname("GENQ_WEBHOOK_SECRET_OVERLAP_S")->check(CLI::Range(std::int64_t{0}, std::int64_t{30 * 24 * 3600}))
      ->capture_default_str();
  cmd.add_option("--webhook-disable-after-s", c.disable_after_s,
                 "Disable an account webhook whose every attempt failed for this long; 0 = never by time")
      ->envname("GENQ_WEBHOOK_DISABLE_AFTER_S")->check(CLI::Range(std::int64_t{0}, std::int64_t{365 * 24 * 3600}))
      ->capture_default_str();
  cmd.add_option("--webhook-disable-after-failures", c.disable_after_failures,
                 "Disable an account webhook after this many failed attempts in a row (deAPI: 10); 0 = never by count")
      ->envname("GENQ_WEBHOOK_DISABLE_AFTER_FAILURES")->check(CLI::Range(std::int64_t{0}, std::int64_t{1'000'000}))
      ->capture_default_str();
  cmd.add_option("--webhook-log-ttl-s", c.log_ttl_s, "How long finished deliveries stay in the delivery log")
      ->envname("GENQ_WEBHOOK_LOG_TTL_S")->check(CLI::Range(std::int64_t{60}, std::int64_t{365 * 24 * 3600}))
      ->capture_default_str();
}

Result<webhook::AddressPolicy> webhook_address_policy(const ServeConfig& config) {
  std::vector<webhook::Cidr> allowed;
  for (const std::string& text : config.webhooks.allow_cidrs) {
    std::optional<webhook::Cidr> cidr = webhook::Cidr::parse(text);
    if (!cidr) {
      return fail(Error::invalid("--webhook-allow-cidr: '" + text + "' is not ADDRESS/PREFIX"));
    }
    allowed.push_back(*cidr);
  }
  return webhook::AddressPolicy(config.webhook_allow_private, std::move(allowed));
}

std::unique_ptr<webhook::DeliveryEngine> make_delivery_engine(const ServeConfig& config,
                                                              const webhook::AddressPolicy& policy,
                                                              DeliveryStore& store, const Clock& clock,
                                                              webhook::BodyFn body,
                                                              std::function<void(const DisabledEndpoint&)> on_disabled) {
  webhook::CurlSenderOptions sender;
  sender.timeout = Millis(config.webhooks.timeout_ms);
  sender.allow_http = config.webhook_allow_http;
  sender.policy = policy;
  sender.max_response_bytes = config.webhooks.max_response_bytes;
  webhook::EngineOptions engine;
  engine.max_in_flight = config.webhooks.max_in_flight;
  engine.max_per_host = config.webhooks.max_per_host;
  engine.rate_per_host = config.webhooks.rate_per_host;
  engine.retry.scale = config.webhooks.retry_scale;
  engine.log_ttl = std::chrono::seconds(config.webhooks.log_ttl_s);
  engine.endpoint_rules.disable_after = std::chrono::seconds(config.webhooks.disable_after_s);
  engine.endpoint_rules.disable_after_failures = config.webhooks.disable_after_failures;
  engine.on_endpoint_disabled = std::move(on_disabled);
  // An attempt takes at most the timeout; the rest covers recording it.
  engine.claim_for = sender.timeout + Millis(30'000);
  return std::make_unique<webhook::DeliveryEngine>(store, std::make_unique<webhook::CurlSender>(sender), clock,
                                                   std::move(body), engine);
}

void add_webhook_metrics(Metrics& metrics, const webhook::DeliveryEngine& engine, WebhookService& webhooks) {
  using Samples = std::vector<std::pair<std::string, double>>;
  metrics.add_counter("genq_webhook_attempts_total", "Webhook attempts, by result.", [&engine] {
    const webhook::DeliveryStats s = engine.stats();
    return Samples{{"result=\"success\"", static_cast<double>(s.attempts_ok)},
                   {"result=\"http_error\"", static_cast<double>(s.attempts_http_error)},
                   {"result=\"no_response\"", static_cast<double>(s.attempts_no_response)}};
  });
  metrics.add_counter("genq_webhook_deliveries_total", "Webhook deliveries that ended, by final state.", [&engine] {
    const webhook::DeliveryStats s = engine.stats();
    return Samples{{"state=\"delivered\"", static_cast<double>(s.delivered)},
                   {"state=\"failed\"", static_cast<double>(s.failed)},
                   {"state=\"gone\"", static_cast<double>(s.gone)}};
  });
  metrics.add_counter("genq_webhook_record_errors_total",
                      "Webhook attempts the store could not record (they are sent again).", [&engine] {
                        return Samples{{"", static_cast<double>(engine.stats().record_errors)}};
                      });
  metrics.add_counter("genq_webhook_endpoints_disabled_total",
                      "Account webhooks this node disabled because every attempt failed (docs/webhooks.md).",
                      [&engine] { return Samples{{"", static_cast<double>(engine.stats().endpoints_disabled)}}; });
  metrics.add_gauge("genq_webhook_in_flight", "Webhook attempts in flight.", [&engine] {
    return Samples{{"", static_cast<double>(engine.stats().in_flight)}};
  });
  metrics.add_gauge("genq_webhook_pending", "Webhook deliveries waiting for an attempt or a retry.", [&webhooks] {
    Samples out;
    if (auto n = webhooks.pending_count()) out = {{"", static_cast<double>(*n)}};
    return out;
  });
  metrics.add_gauge("genq_webhook_oldest_due_age_seconds",
                    "How long the most overdue pending delivery has been due; 0 when none is due.",
                    [&webhooks, &engine] {
                      Samples out;
                      if (auto earliest = webhooks.earliest_pending()) {
                        const TimePoint now = engine.clock().now();
                        double age = 0;
                        if (*earliest && **earliest < now) {
                          age = std::chrono::duration<double>(now - **earliest).count();
                        }
                        out = {{"", age}};
                      }
                      return out;
                    });
  metrics.add_collector([&engine](Exposition& out) {
    out.family("genq_webhook_attempt_seconds",
               "Time from sending a webhook attempt to its answer (or its failure), every outcome.", "histogram");
    out.histogram("genq_webhook_attempt_seconds", "", engine.attempt_seconds().snapshot());
  });
}

std::function<std::optional<std::string>()> webhook_engine_problem(
    const std::unique_ptr<webhook::DeliveryEngine>& engine) {
  return [&engine]() -> std::optional<std::string> {
    if (!engine) return "not started";
    const webhook::EngineHealth health = engine->health();
    if (!health.running) return "not running";
    if (!health.recording) return "cannot record attempts in the store (deliveries are retried)";
    return std::nullopt;
  };
}

}  // namespace genq::app
