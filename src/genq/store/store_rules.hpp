#pragma once
// Rules every store implementation applies the same way, so SQLite and PostgreSQL
// cannot drift apart: where a job's webhook goes, which blob keys a job holds, how
// lists are kept in a column, how long an Idempotency-Key binds.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/core/job.hpp"
#include "genq/store/account_store.hpp"
#include "genq/store/delivery_store.hpp"

namespace genq::store_rules {

// How long an Idempotency-Key binds to its first request (SPEC §3).
inline constexpr Millis kIdempotencyWindow = std::chrono::hours(24);

// The webhook event a transition into `status` reports; empty for none.
std::string_view event_for(JobStatus status);

// "host:port" of a webhook URL, the scheme's default port filled in: the sender caps
// concurrent deliveries per receiver by this key.
std::string host_key(const std::string& url);

// Whether `job` reports `event` at all, whatever its target: a second-dialect callback
// reports final states only (SPEC §6), and a job's own webhook_events, when it has
// them, name the events it reports. When it has them, the account's list does not
// apply to it (accepts_event below is for jobs without).
bool job_reports_event(const Job& job, std::string_view event);

// Whether an account webhook with this events list (a JSON array; empty = every
// event) receives `event` (SPEC §3).
bool accepts_event(const std::string& events_json, std::string_view event);

// An account webhook's health after one attempt at it at `at`: a success starts it
// afresh; a failure counts, and when it breaks `rules` the endpoint is disabled
// (disabled_at and disabled_reason set). An endpoint already disabled stays as it is.
WebhookHealth health_after_attempt(WebhookHealth health, bool ok, TimePoint at, const EndpointRules& rules);

// An account webhook as its health rules read it: the client's URL now, and its health.
struct AccountEndpoint {
  std::string url;
  WebhookHealth health;
};

// DeliveryStore::note_endpoint_attempts for either store, inside its transaction:
// `read(client_id)` answers Result<std::optional<AccountEndpoint>> (nullopt: no such
// client) and `write(client_id, health)` a Status. An attempt at a URL that is no
// longer the account's, or at an endpoint already disabled, changes nothing.
template <class Read, class Write>
Result<std::vector<DisabledEndpoint>> apply_endpoint_attempts(const std::vector<EndpointAttempt>& attempts,
                                                              const EndpointRules& rules, Read&& read,
                                                              Write&& write) {
  std::vector<DisabledEndpoint> disabled;
  for (const EndpointAttempt& attempt : attempts) {
    Result<std::optional<AccountEndpoint>> endpoint = read(attempt.client_id);
    if (!endpoint) return fail(std::move(endpoint.error()));
    if (!*endpoint || (*endpoint)->url != attempt.url || (*endpoint)->health.disabled_at) continue;
    const WebhookHealth after = health_after_attempt((*endpoint)->health, attempt.ok, attempt.at, rules);
    if (Status written = write(attempt.client_id, after); !written) return fail(std::move(written.error()));
    if (after.disabled_at) {
      disabled.push_back({attempt.client_id, attempt.url, *after.disabled_at, after.disabled_reason});
    }
  }
  return disabled;
}

// The columns holding webhook signing secrets (sealed_secrets.hpp), as (table, column).
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kSecretColumns = {{
    {"clients", "webhook_secret"}, {"clients", "webhook_secret_previous"}, {"jobs", "webhook_secret"}}};
// The store_settings row that names the key the stored secrets are sealed with.
inline constexpr std::string_view kSecretsKeySetting = "secrets_key_id";
// Whether a store whose secrets were sealed with key `sealed_with` (nullopt: never
// sealed) must seal them for `key_id` now: its plain ones, or, when `previous_key_id`
// sealed them, all of them again (a change of key). Invalid when another key sealed
// them: a node given the wrong key must not start, or it would sign with garbage.
Result<bool> sealing_needed(const std::optional<std::string>& sealed_with, const std::string& key_id,
                            const std::optional<std::string>& previous_key_id = std::nullopt);

// Appends the blob keys of a job's inputs_json ({"field": "<key>" or [keys], ...}).
// A malformed document yields none: it cannot be repaired here, and its blobs are
// left to the blob store's own sweep.
void collect_input_keys(const std::string& inputs_json, std::vector<std::string>& keys);

// Whether a client may retry `job`: Conflict unless it ended in error, and for a
// cancelled one (cancel removed its input files; the client decided, and submits again).
Status check_retryable(const Job& job);

// When a lease extended to `wanted` expires: never after the attempt's run_deadline,
// so the lease sweep finds a timed-out attempt at its deadline (core/job.hpp).
TimePoint capped_lease(TimePoint wanted, const std::optional<TimePoint>& run_deadline);
// A job submitted (or retried) at `now` expires pending at this unix-ms time; nullopt
// when it has no cancel_after.
std::optional<std::int64_t> start_deadline_ms(Millis cancel_after, TimePoint now);

// Whether `id` could name a job: the ids genq makes are printable ASCII (UUIDs, "task_"
// ones). Anything else (a NUL, bytes that are not UTF-8) names none, and sent to
// PostgreSQL it would make it refuse the statement (a 500, and in a batched read the
// failure of every other read of the batch): such an id is "not found" without a query.
bool could_name_a_job(std::string_view id);

// A lease id names the worker token that claimed it, "ls_<tag>_<random>" with the tag
// taken from the token's id, so that a call under another token cannot use the lease
// even when it learned the id (docs/security.md). The tag is not a secret: the check
// is against the token the caller authenticated with.
std::string lease_tag(std::string_view token_id);
std::string new_lease_id(std::string_view token_id);
bool lease_issued_to(std::string_view lease_id, std::string_view token_id);

// The id an API key is listed and revoked by: "key_" and the first 16 hex digits of
// its SHA-256 (api_keys.hash), so neither the key nor its whole hash is ever shown.
inline constexpr std::size_t kApiKeyIdDigits = 16;
std::string api_key_id(std::string_view key_hash);
// The hash prefix an id names, or empty when `key_id` is not one.
std::string api_key_hash_prefix(std::string_view key_id);

// Event names and model names are stored as JSON arrays of strings.
std::string to_json_array(const std::vector<std::string>& items);
Result<std::vector<std::string>> parse_json_array(const std::string& text, std::string_view what);

}  // namespace genq::store_rules
