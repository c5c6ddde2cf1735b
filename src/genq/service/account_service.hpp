#pragma once
// Credentials (SPEC §1): creates clients and worker tokens, and authenticates Bearer
// credentials. Keys are random, shown once, stored as SHA-256 digests; since they
// carry 143 bits of randomness a plain digest is enough (no slow KDF needed) and a
// digest lookup reveals nothing about the key. Thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "genq/store/account_store.hpp"

namespace genq {

struct NewClientCredentials {
  Client client;
  std::string api_key;  // shown once
};

// deAPI's message for a suspended account.
struct NewApiKey {
  std::string id;   // store_rules::api_key_id: what lists and revocation name it by
  std::string key;  // the key itself, shown once
};

inline constexpr std::string_view kAccountSuspended = "Your account has been suspended.";

class AccountService {
 public:
  AccountService(AccountStore& store, std::string admin_token, const Clock& clock)
      : store_(store), admin_token_(std::move(admin_token)), clock_(clock) {}

  Result<NewClientCredentials> create_client(const std::string& name, const ClientLimits& limits = {});
  // A fresh account webhook secret; the current one keeps signing for `overlap`
  // (SPEC §4 rotation). Returns the client with both secrets.
  Result<Client> rotate_webhook_secret(const std::string& client_id, Millis overlap);
  // Returns the token (shown once).
  Result<std::string> create_worker_token(const std::string& name, const std::vector<std::string>& models);
  // Another API key for an existing client (shown once), beside its others: a key is
  // replaced by adding the new one, moving the callers, then revoking the old one.
  // NotFound for an unknown client.
  Result<NewApiKey> add_api_key(const std::string& client_id);

  // NotFound for a missing or unknown key; Forbidden (kAccountSuspended) for the key
  // of a disabled client, which deAPI answers 403 (its SDK's AccountSuspendedError).
  Result<Client> authenticate_client(const std::string& bearer);
  // NotFound for a missing, unknown or disabled token.
  Result<WorkerToken> authenticate_worker(const std::string& bearer);
  bool is_admin(const std::string& bearer) const;

  AccountStore& store() { return store_; }

 private:
  AccountStore& store_;
  std::string admin_token_;
  const Clock& clock_;
};

}  // namespace genq
