#pragma once
// Wiring of webhook deliveries: their flags, the address policy (SSRF guard), the
// delivery engine on libcurl, and their metrics.
#include <CLI/App.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "genq/config/serve_config.hpp"
#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/metrics/metrics.hpp"
#include "genq/service/webhook_service.hpp"
#include "genq/store/delivery_store.hpp"
#include "genq/webhook/address_guard.hpp"
#include "genq/webhook/delivery_engine.hpp"

namespace genq::app {

// --webhook-timeout-ms, --webhook-retry-scale, --webhook-max-in-flight,
// --webhook-max-per-host, --webhook-rate-per-host, --webhook-allow-cidr,
// --webhook-secret-overlap-s, --webhook-disable-after-s, --webhook-disable-after-failures,
// --webhook-log-ttl-s (GENQ_WEBHOOK_*).
void add_webhook_options(CLI::App& cmd, WebhookConfig& config);

// The SSRF policy from --webhook-allow-private and --webhook-allow-cidr; Invalid for a
// malformed network.
Result<webhook::AddressPolicy> webhook_address_policy(const ServeConfig& config);

// The engine with a libcurl sender; not started.
std::unique_ptr<webhook::DeliveryEngine> make_delivery_engine(const ServeConfig& config,
                                                              const webhook::AddressPolicy& policy,
                                                              DeliveryStore& store, const Clock& clock,
                                                              webhook::BodyFn body,
                                                              std::function<void(const DisabledEndpoint&)> on_disabled);

// genq_webhook_* counters and gauges on /metrics.
void add_webhook_metrics(Metrics& metrics, const webhook::DeliveryEngine& engine, WebhookService& webhooks);
// For /readyz (ApiOptions::webhook_engine_problem): reads the engine `engine` holds
// when asked, so it may be made after this is.
std::function<std::optional<std::string>()> webhook_engine_problem(
    const std::unique_ptr<webhook::DeliveryEngine>& engine);

}  // namespace genq::app
