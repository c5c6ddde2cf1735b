#pragma once
// The webhook outbox (SPEC §4) as the delivery engine and the delivery log see it.
//
// Delivery rows are written by the JobStore transitions themselves, in the same
// transaction as the transition they report (job.processing at claim, job.completed,
// job.failed): a crash can neither lose one nor leave one behind for a transition
// that did not commit. This interface reads them back, records each attempt and
// schedules the next; sqlite/ implements it beside JobStore, and a PostgreSQL store
// would do the same with its own transactions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/core/job.hpp"

namespace genq {

// pending: waiting for its next attempt (or being sent); the others are final.
enum class DeliveryState { Pending, Delivered, Failed, Gone };

inline std::string_view to_string(DeliveryState state) {
  switch (state) {
    case DeliveryState::Pending: return "pending";
    case DeliveryState::Delivered: return "delivered";
    case DeliveryState::Failed: return "failed";
    case DeliveryState::Gone: return "gone";
  }
  return "failed";
}

inline std::optional<DeliveryState> parse_delivery_state(std::string_view text) {
  if (text == "pending") return DeliveryState::Pending;
  if (text == "delivered") return DeliveryState::Delivered;
  if (text == "failed") return DeliveryState::Failed;
  if (text == "gone") return DeliveryState::Gone;
  return std::nullopt;
}

// Event names (SPEC §4) and the error codes job.failed carries.
inline constexpr std::string_view kEventProcessing = "job.processing";
inline constexpr std::string_view kEventCompleted = "job.completed";
inline constexpr std::string_view kEventFailed = "job.failed";
// job.failed's error_code is one of deAPI's six codes (docs/webhooks.md, "Error codes").
inline constexpr std::string_view kErrorWorkerTimeout = "WORKER_TIMEOUT";  // leases expired, attempts used up
inline constexpr std::string_view kErrorProcessing = "PROCESSING_ERROR";   // the worker reported a failure
inline constexpr std::string_view kErrorAgeRestricted = "AGE_RESTRICTED";
inline constexpr std::string_view kErrorContextLength = "CONTEXT_LENGTH_EXCEEDED";
inline constexpr std::string_view kErrorInvalidInput = "INVALID_INPUT";
inline constexpr std::string_view kErrorUnknown = "UNKNOWN_ERROR";
// A cancelled job is no failure of the work; deAPI has no code for it, so it reports
// UNKNOWN_ERROR with error_message "cancelled".
inline constexpr std::string_view kErrorCancelled = kErrorUnknown;
// genq's own seventh code: the job waited past its cancel_after and never ran (nothing
// was charged). deAPI has no deadlines, so none of its codes says this; workers cannot
// report it.
inline constexpr std::string_view kErrorExpired = "EXPIRED";

// True for the six codes above.
inline bool is_deapi_error_code(std::string_view code) {
  return code == kErrorWorkerTimeout || code == kErrorProcessing || code == kErrorAgeRestricted ||
         code == kErrorContextLength || code == kErrorInvalidInput || code == kErrorUnknown;
}

// The code a stored delivery reports. Rows written before the codes were deAPI's hold
// genq's old names ("worker_lost", "job_failed", "cancelled"); anything else unknown
// reads UNKNOWN_ERROR. Empty stays empty (events other than job.failed).
inline std::string_view deapi_error_code(std::string_view stored) {
  if (stored.empty() || is_deapi_error_code(stored) || stored == kErrorExpired) return stored;
  if (stored == "worker_lost") return kErrorWorkerTimeout;
  if (stored == "job_failed") return kErrorProcessing;
  return kErrorUnknown;
}

// A delivery whose attempt is due, with everything needed to build and sign it.
struct DueDelivery {
  std::string id;            // delivery id: webhook-id and X-DeAPI-Delivery-Id, the same on every attempt
  std::int64_t version = 0;  // bumped by redeliver; an attempt recorded with a stale one leaves the schedule alone
  std::string event;         // job.processing | job.completed | job.failed
  std::string url;           // target, resolved when the transition committed
  // A second-dialect callback (SPEC §6): the job's own callback_url, whose body is
  // the statusTask document rather than deAPI's envelope.
  bool callback = false;
  std::string host;          // "host:port" of url: the unit of the per-receiver concurrency cap
  int series_attempts = 0;   // attempts since creation or the last redelivery of a final delivery
  TimePoint occurred_at{};   // when the transition committed (the body's "timestamp")

  // The transition the event reports.
  std::string job_id;
  JobStatus status = JobStatus::Pending;
  JobStatus previous_status = JobStatus::Pending;
  std::string error_code;  // job.failed only
  std::string submit_request_id;  // the job's (core/job.hpp): the attempt's X-Request-Id

  // The job as it is now (final states do not change, so this is the reported state).
  std::string task;
  std::string error;
  std::string result_blob;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;

  // Signing secrets, read at send time so retries after a rotation use the new one.
  std::string job_secret;               // per-job webhook_secret; empty = the account's
  std::string account_secret;           // whsec_...
  std::string previous_account_secret;  // the one before the last rotation, if any
  std::optional<TimePoint> previous_secret_until;  // it still signs until then

  // Its client, and whether it goes to that client's account webhook (its url is the
  // account's; callbacks never do), whose health counts its attempts; and whether that
  // endpoint is disabled now, with why (WebhookHealth): then it is failed unsent.
  std::string client_id;
  bool account_endpoint = false;
  bool endpoint_disabled = false;
  std::string endpoint_disabled_reason;
};

// Due deliveries of one receiver, claimed for one sender.
struct DueQuery {
  TimePoint now{};
  std::string host;                   // DueDelivery::host
  std::size_t limit = 0;
  std::vector<std::string> skip_ids;  // deliveries already in flight
  // Who claims them (the sending node's id) and for how long: until now + claim_for
  // no other sender reads them as due. Longer than one attempt can take.
  std::string claimant;
  Millis claim_for{60'000};
};

// The outcome of one attempt and what follows it, decided by the caller.
struct AttemptRecord {
  std::string delivery_id;
  std::int64_t version = 0;  // DueDelivery::version the attempt was made with
  std::string claimant;      // DueQuery::claimant of the claim it was sent under
  TimePoint started_at{};
  Millis latency{0};
  std::optional<int> http_status;  // nullopt when no response arrived
  std::string error;               // empty on success
  DeliveryState state = DeliveryState::Pending;  // after this attempt
  std::optional<TimePoint> next_attempt_at;      // set when state is Pending
};

// One attempt at an account webhook, for its health (DeliveryStore::note_endpoint_attempts).
struct EndpointAttempt {
  std::string client_id;
  std::string url;  // the endpoint attempted; the health counts only while it is the account's
  bool ok = false;  // 2xx
  TimePoint at{};
};

// When an account webhook is disabled (docs/webhooks.md, "Endpoint health"); 0 = never by
// that rule. Svix's rule by default: failing every attempt for 5 days; deAPI's rule
// (10 failures in a row) by configuration.
struct EndpointRules {
  Millis disable_after{std::chrono::hours(5 * 24)};
  std::int64_t disable_after_failures = 0;
};

// An account webhook this call disabled.
struct DisabledEndpoint {
  std::string client_id;
  std::string url;
  TimePoint disabled_at{};
  std::string reason;
};

// One line of the delivery log.
struct DeliveryAttempt {
  int number = 0;  // 1 = first attempt
  TimePoint started_at{};
  Millis latency{0};
  std::optional<int> http_status;
  std::string error;
  std::optional<TimePoint> next_retry_at;  // when this attempt scheduled another
};

struct DeliveryRecord {
  std::string id;
  std::string job_id;
  std::string event;
  std::string url;
  DeliveryState state = DeliveryState::Pending;
  int attempts = 0;
  TimePoint created_at{};
  std::optional<TimePoint> next_attempt_at;  // pending only
  std::optional<TimePoint> finished_at;      // final only
  std::vector<DeliveryAttempt> log;          // oldest first
};

// Thread-safe; one call, one transaction.
class DeliveryStore {
 public:
  virtual ~DeliveryStore() = default;

  // The receivers ("host:port") with a pending delivery due at `now`. The cost grows
  // with the number of receivers that have pending deliveries, not with how many
  // deliveries each has waiting.
  virtual Result<std::vector<std::string>> due_hosts(TimePoint now) = 0;

  // Claims and returns pending deliveries of query.host due at query.now, oldest due
  // first, at most query.limit, none of the skipped ids. A claim makes the delivery
  // due again only at now + claim_for (its next_attempt_at moves there), so senders on
  // several nodes each get different deliveries, and the claim of a sender that died
  // mid-attempt expires into a retry by any node. Recording the attempt ends the claim.
  virtual Result<std::vector<DueDelivery>> due_deliveries(const DueQuery& query) = 0;

  // The earliest next attempt of a pending delivery strictly after `after`; nullopt if none.
  virtual Result<std::optional<TimePoint>> next_delivery_time(TimePoint after) = 0;

  // Appends each attempt to its delivery's log and applies its state and next attempt,
  // all in one transaction, ending the attempt's claim. An attempt whose version is
  // stale (the delivery was redelivered meanwhile) is logged and makes the delivery due
  // at once for the redelivery. An attempt whose claim was taken over by another
  // claimant (it expired) is logged without touching the schedule.
  virtual Status record_attempts(const std::vector<AttemptRecord>& attempts) = 0;

  // The deliveries of one job with their attempts, oldest first. Only client_id's.
  virtual Result<std::vector<DeliveryRecord>> deliveries_for_job(const std::string& job_id,
                                                                 const std::string& client_id) = 0;

  // Makes the delivery due now, keeping its id. A final delivery starts a new retry
  // series. A delivery claimed by a sender stays claimed: it becomes due when that
  // attempt is recorded. NotFound unless it exists and belongs to client_id.
  virtual Result<DeliveryRecord> redeliver(const std::string& delivery_id, const std::string& client_id) = 0;

  virtual Result<std::int64_t> count_pending_deliveries() = 0;

  // Applies attempts at account webhooks to their health, in order, in one transaction:
  // a success starts it afresh, a failure counts, and one that breaks `rules` disables
  // the endpoint. Attempts at a URL that is no longer the account's, or at an endpoint
  // already disabled, change nothing. Returns the endpoints disabled now.
  virtual Result<std::vector<DisabledEndpoint>> note_endpoint_attempts(const std::vector<EndpointAttempt>& attempts,
                                                                       const EndpointRules& rules) = 0;
  // Enables the client's account webhook again and makes due now every failed delivery
  // to it created in [since, until) (as redeliver does, one by one). Returns how many.
  // NotFound for unknown clients.
  virtual Result<std::int64_t> recover_account_webhook(const std::string& client_id, TimePoint since,
                                                       TimePoint until) = 0;

  // Deletes final deliveries (and their attempts) that finished before `before`.
  virtual Result<std::int64_t> prune_deliveries(TimePoint before) = 0;
};

}  // namespace genq
