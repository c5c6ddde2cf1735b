#include "genq/service/account_service.hpp"

#include "genq/crypto/crypto.hpp"
#include "genq/store/store_rules.hpp"

namespace genq {
namespace {

// Standard Webhooks' secret format: "whsec_" + base64 of the key bytes.
std::string new_webhook_secret() { return "whsec_" + crypto::base64_encode(crypto::random_bytes(32)); }

}  // namespace

Result<NewClientCredentials> AccountService::create_client(const std::string& name, const ClientLimits& limits) {
  Client client;
  client.limits = limits;
  client.id = crypto::uuid_v4();
  client.name = name;
  client.webhook_secret = new_webhook_secret();
  client.created_at = clock_.now();
  std::string key = crypto::random_token("gq_", 24);
  auto created = store_.create_client(client, crypto::sha256_hex(key));
  if (!created) return fail(created.error());
  return NewClientCredentials{*created, key};
}

Result<Client> AccountService::rotate_webhook_secret(const std::string& client_id, Millis overlap) {
  return store_.rotate_webhook_secret(client_id, new_webhook_secret(), clock_.now() + overlap);
}

Result<std::string> AccountService::create_worker_token(const std::string& name,
                                                        const std::vector<std::string>& models) {
  WorkerToken token;
  token.id = crypto::uuid_v4();
  token.name = name;
  token.models = models;
  std::string secret = crypto::random_token("gqw_", 24);
  auto created = store_.create_worker_token(token, crypto::sha256_hex(secret));
  if (!created) return fail(created.error());
  return secret;
}

Result<NewApiKey> AccountService::add_api_key(const std::string& client_id) {
  if (auto client = store_.get_client(client_id); !client) return fail(client.error());
  std::string key = crypto::random_token("gq_", 24);
  const std::string hash = crypto::sha256_hex(key);
  if (auto added = store_.add_api_key(client_id, hash); !added) return fail(added.error());
  return NewApiKey{store_rules::api_key_id(hash), std::move(key)};
}

Result<Client> AccountService::authenticate_client(const std::string& bearer) {
  if (bearer.empty() || bearer.size() > 256) return fail(Error::not_found("no credential"));
  Result<Client> client = store_.find_client_by_key(crypto::sha256_hex(bearer));
  if (client && client->disabled) return fail(Error::forbidden(std::string(kAccountSuspended)));
  return client;
}

Result<WorkerToken> AccountService::authenticate_worker(const std::string& bearer) {
  if (bearer.empty() || bearer.size() > 256) return fail(Error::not_found("no credential"));
  return store_.find_worker_by_token(crypto::sha256_hex(bearer));
}

bool AccountService::is_admin(const std::string& bearer) const {
  if (bearer.empty() || admin_token_.empty()) return false;
  // Compare digests so the comparison time does not depend on the token's length either.
  return crypto::constant_time_equal(crypto::sha256_hex(bearer), crypto::sha256_hex(admin_token_));
}

}  // namespace genq
