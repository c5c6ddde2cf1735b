#pragma once
// `genq serve`'s webhook delivery settings (SPEC §4, docs/webhooks.md), as flags and
// GENQ_WEBHOOK_* variables give them (app/webhook_setup.cpp). The two target rules
// that predate them, --webhook-allow-http and --webhook-allow-private, stay in
// ServeConfig beside them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace genq {

struct WebhookConfig {
  std::int64_t timeout_ms = 10'000;  // one attempt, connect to last byte
  double retry_scale = 1.0;          // multiplies every retry wait; tests use 0.001
  std::size_t max_in_flight = 256;
  std::size_t max_per_host = 16;
  double rate_per_host = 0;  // deliveries started per second to one receiver; 0 = no limit
  std::vector<std::string> allow_cidrs;  // private networks allowed without --webhook-allow-private
  std::int64_t secret_overlap_s = 24 * 3600;
  std::int64_t log_ttl_s = 7 * 24 * 3600;
  std::size_t max_response_bytes = 64 * 1024;
  // Endpoint health (docs/webhooks.md): an account webhook is disabled when every
  // attempt failed for this long (Svix's 5 days), or after this many failed attempts
  // in a row (deAPI's rule is 10); 0 = not by that rule.
  std::int64_t disable_after_s = 5 * 24 * 3600;
  std::int64_t disable_after_failures = 0;
};

}  // namespace genq
