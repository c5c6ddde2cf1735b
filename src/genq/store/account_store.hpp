#pragma once
// Clients, their API keys and webhook settings, and worker tokens (SPEC §1).
// Secrets are stored as SHA-256 hex digests of the key; the key itself is shown once.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/core/job.hpp"

namespace genq {

// What the operator grants a client (docs/api.md, "Priorities and fair share"): the
// highest priority it may submit at, and caps on its queued (pending) and running
// (processing, in_progress) jobs; 0 = no cap.
struct ClientLimits {
  Priority max_priority = Priority::Normal;
  std::int64_t max_queued = 0;
  std::int64_t max_running = 0;
};

// How the account webhook has fared (docs/webhooks.md, "Endpoint health"): an endpoint
// that fails every attempt long enough, or often enough in a row, is disabled.
struct WebhookHealth {
  std::optional<TimePoint> failing_since;  // first failed attempt since the last success
  std::int64_t consecutive_failures = 0;
  std::optional<TimePoint> disabled_at;    // set: no delivery goes to the account webhook
  std::string disabled_reason;
};

struct Client {
  std::string id;    // the client_id used in private-client.{id}
  std::string name;
  std::string webhook_secret;  // whsec_...
  // The secret before the last rotation; deliveries are signed with it too until
  // previous_secret_until (SPEC §4: an overlap window for receivers to switch).
  std::string previous_webhook_secret;
  std::optional<TimePoint> previous_secret_until;
  std::string webhook_url;     // account webhook; empty = none
  std::vector<std::string> webhook_events;  // empty = all events
  bool disabled = false;
  TimePoint created_at{};
  ClientLimits limits;
  WebhookHealth webhook_health;
};

struct WorkerToken {
  std::string id;
  std::string name;
  std::vector<std::string> models;  // empty = may serve every model
  bool disabled = false;
  TimePoint created_at{};  // set by the store
};

// An API key as the admin sees it: never the key nor its hash, only an id (store_rules::
// api_key_id, from the hash) and when it was made.
struct ApiKeyInfo {
  std::string id;
  TimePoint created_at{};
};

// A client's balance and usage ledger (docs/api.md, "Balance and usage"). Amounts are
// integer nano-units of the catalog's currency (1e-9), so sums never drift.
struct Balance {
  std::int64_t nanos = 0;  // may go below zero: jobs in flight are charged when done
  bool unlimited = false;  // never refused, never debited (usage is still recorded)
};

enum class LedgerKind { Charge, TopUp };

struct LedgerEntry {
  std::int64_t seq = 0;
  LedgerKind kind = LedgerKind::Charge;
  std::int64_t amount_nanos = 0;   // the balance change: -price for a charge, 0 when unlimited
  std::int64_t price_nanos = 0;    // charge: the job's catalog price
  std::int64_t balance_nanos = 0;  // the balance after this entry
  std::string job_id;              // charge: the job (charged at most once)
  std::string task;
  std::string model;
  std::string note;                // top-up: the operator's note
  TimePoint created_at{};
};

struct LedgerPage {
  std::vector<LedgerEntry> entries;  // newest first
  std::int64_t total = 0;            // entries of the client in all
};

// Thread-safe.
class AccountStore {
 public:
  virtual ~AccountStore() = default;

  virtual Result<Client> create_client(const Client& client, const std::string& api_key_hash) = 0;
  virtual Status add_api_key(const std::string& client_id, const std::string& api_key_hash) = 0;
  // NotFound for unknown keys. A disabled client is found (with `disabled` set): the
  // API tells a suspended account (403) from a wrong key (401).
  virtual Result<Client> find_client_by_key(const std::string& api_key_hash) = 0;
  virtual Result<Client> get_client(const std::string& client_id) = 0;
  virtual Result<std::vector<Client>> list_clients() = 0;
  virtual Status set_client_disabled(const std::string& client_id, bool disabled) = 0;
  // NotFound for unknown clients. Submits see the change within the credential cache's
  // time to live (5 s); claims at once.
  virtual Status set_client_limits(const std::string& client_id, const ClientLimits& limits) = 0;
  // Also starts the webhook's health afresh: saving the settings enables it again.
  virtual Status set_account_webhook(const std::string& client_id, const std::string& url,
                                     const std::vector<std::string>& events) = 0;

  // Makes `new_secret` the account's webhook secret; the current one becomes the
  // previous secret, valid until `previous_until`. NotFound for unknown clients.
  virtual Result<Client> rotate_webhook_secret(const std::string& client_id, const std::string& new_secret,
                                               TimePoint previous_until) = 0;

  // Balance and ledger. NotFound for unknown clients. A job submitted with a price is
  // charged by the JobStore in the transaction that makes it done (job_store.hpp).
  virtual Result<Balance> get_balance(const std::string& client_id) = 0;
  // Adds `amount_nanos` (negative to correct) and records a top-up entry.
  virtual Result<Balance> top_up(const std::string& client_id, std::int64_t amount_nanos,
                                 const std::string& note) = 0;
  virtual Result<Balance> set_unlimited(const std::string& client_id, bool unlimited) = 0;
  virtual Result<LedgerPage> list_ledger(const std::string& client_id, std::int64_t offset,
                                         std::int64_t limit) = 0;

  virtual Result<WorkerToken> create_worker_token(const WorkerToken& token,
                                                  const std::string& token_hash) = 0;
  // NotFound for unknown or disabled tokens.
  virtual Result<WorkerToken> find_worker_by_token(const std::string& token_hash) = 0;
  // Every token (never its hash), oldest first.
  virtual Result<std::vector<WorkerToken>> list_worker_tokens() = 0;

  // Credentials' lifecycle (docs/security.md). A revoked, disabled or deleted
  // credential stops working at once on this node and within the credential cache's
  // time to live (5 s) on the others. NotFound for an unknown client, key or token.
  virtual Result<std::vector<ApiKeyInfo>> list_api_keys(const std::string& client_id) = 0;  // oldest first
  virtual Status revoke_api_key(const std::string& client_id, const std::string& key_id) = 0;
  virtual Status set_worker_token_disabled(const std::string& token_id, bool disabled) = 0;
  virtual Status delete_worker_token(const std::string& token_id) = 0;
};

}  // namespace genq
