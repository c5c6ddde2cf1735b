#pragma once
// What the HTTP route modules (api/, worker/) are given: the use cases and the few
// shared read-only pieces. Owned by app/; routes hold references.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "genq/blob/url_signer.hpp"
#include "genq/bus/event_bus.hpp"
#include "genq/catalog/catalog.hpp"
#include "genq/inputs/url_fetcher.hpp"
#include "genq/metrics/metrics.hpp"
#include "genq/service/account_service.hpp"
#include "genq/service/alt_format_cache.hpp"
#include "genq/service/billing.hpp"
#include "genq/service/claim_dispatcher.hpp"
#include "genq/service/job_service.hpp"
#include "genq/service/job_waiters.hpp"
#include "genq/service/rate_limiter.hpp"
#include "genq/service/webhook_service.hpp"

namespace genq {

struct ApiOptions {
  std::size_t max_body_bytes = 0;  // cap on submits with files; 0 = the catalog's file_limits decide
  std::size_t max_json_bytes = 1024 * 1024;         // plain JSON bodies
  std::size_t max_result_bytes = 512ull * 1024 * 1024;
  bool webhook_allow_http = false;
  bool webhook_allow_private = false;
  // The SSRF guard at submit: why a webhook URL may not be used ("points to
  // 127.0.0.1, a loopback address"), or nullopt. Blocks on DNS. Empty = no check.
  std::function<std::optional<std::string>(const std::string& url)> webhook_target_check;
  // How long the previous account webhook secret keeps signing after a rotation.
  Millis webhook_secret_overlap{std::chrono::hours(24)};
  // Input files named by URL (source_url, video_url, audio_url): downloaded at
  // submit, before the job exists. Invalid with the reason when it cannot be.
  std::function<Result<inputs::FetchedFile>(const std::string& url)> fetch_input;
  // How long a prompt helper waits for its job before answering 504.
  Millis prompt_wait{std::chrono::seconds(120)};
  // When set, GET /metrics wants "Authorization: Bearer <this>" (queue depths and
  // request counts tell an outsider how busy the service is).
  std::string metrics_token;
  // Why the webhook engine is not working (not running, cannot record attempts), or
  // nullopt when it is: /readyz. Empty = not checked.
  std::function<std::optional<std::string>()> webhook_engine_problem;
};

struct Services {
  JobService& jobs;
  AccountService& accounts;
  ClaimDispatcher& claims;
  const catalog::Catalog& catalog;
  const UrlSigner& signer;
  Metrics& metrics;
  RateLimiter& rate_limiter;
  WebhookService& webhooks;
  Billing& billing;
  JobWaiters& waiters;
  AltFormatCache& alt_formats;  // image results' other formats, made on request
  const EventBus& bus;  // for /readyz
  ApiOptions options;
};

}  // namespace genq
