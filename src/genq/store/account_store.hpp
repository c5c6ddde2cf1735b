#pragma once
// Clients, their API keys and webhook settings, and worker tokens (SPEC §1).
// Secrets are stored as SHA-256 hex digests of the key; the key itself is shown once.
#include <optional>
#include <string>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"

namespace genq {

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
};

struct WorkerToken {
  std::string id;
  std::string name;
  std::vector<std::string> models;  // empty = may serve every model
  bool disabled = false;
};

// Thread-safe.
class AccountStore {
 public:
  virtual ~AccountStore() = default;

  virtual Result<Client> create_client(const Client& client, const std::string& api_key_hash) = 0;
  virtual Status add_api_key(const std::string& client_id, const std::string& api_key_hash) = 0;
  // NotFound for unknown keys and for disabled clients.
  virtual Result<Client> find_client_by_key(const std::string& api_key_hash) = 0;
  virtual Result<Client> get_client(const std::string& client_id) = 0;
  virtual Result<std::vector<Client>> list_clients() = 0;
  virtual Status set_client_disabled(const std::string& client_id, bool disabled) = 0;
  virtual Status set_account_webhook(const std::string& client_id, const std::string& url,
                                     const std::vector<std::string>& events) = 0;
  // Makes `new_secret` the account's webhook secret; the current one becomes the
  // previous secret, valid until `previous_until`. NotFound for unknown clients.
  virtual Result<Client> rotate_webhook_secret(const std::string& client_id, const std::string& new_secret,
                                               TimePoint previous_until) = 0;

  virtual Result<WorkerToken> create_worker_token(const WorkerToken& token,
                                                  const std::string& token_hash) = 0;
  // NotFound for unknown or disabled tokens.
  virtual Result<WorkerToken> find_worker_by_token(const std::string& token_hash) = 0;
};

}  // namespace genq
