#include "genq/webhook/signer.hpp"

#include "genq/crypto/crypto.hpp"

namespace genq::webhook {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";
constexpr std::string_view kUserAgent = "genq-webhooks/" GENQ_VERSION;  // SPEC §4: names genq

}  // namespace

std::string deapi_signature(std::string_view secret, std::int64_t timestamp, std::string_view body) {
  std::string signed_text = std::to_string(timestamp);
  signed_text += '.';
  signed_text += body;
  return "sha256=" + crypto::hmac_sha256_hex(secret, signed_text);
}

std::string standard_key(std::string_view secret) {
  if (secret.starts_with(kSecretPrefix)) {
    std::string key;
    if (crypto::base64_decode(secret.substr(kSecretPrefix.size()), key)) {
      return key;
    }
  }
  return std::string(secret);
}

std::string standard_signature(std::string_view secret, std::string_view delivery_id, std::int64_t timestamp,
                               std::string_view body) {
  std::string signed_text(delivery_id);
  signed_text += '.';
  signed_text += std::to_string(timestamp);
  signed_text += '.';
  signed_text += body;
  return "v1," + crypto::base64_encode(crypto::hmac_sha256(standard_key(secret), signed_text));
}

std::vector<std::string> signing_secrets(const DueDelivery& delivery, TimePoint now) {
  if (!delivery.job_secret.empty()) {
    return {delivery.job_secret};
  }
  std::vector<std::string> secrets;
  if (!delivery.account_secret.empty()) {
    secrets.push_back(delivery.account_secret);
  }
  if (!delivery.previous_account_secret.empty() && delivery.previous_secret_until &&
      now < *delivery.previous_secret_until) {
    secrets.push_back(delivery.previous_account_secret);
  }
  return secrets;
}

std::vector<Header> signed_headers(std::string_view event, std::string_view delivery_id, std::int64_t timestamp,
                                   std::string_view body, const std::vector<std::string>& secrets) {
  const std::string ts = std::to_string(timestamp);
  std::vector<Header> headers = {
      {"Content-Type", "application/json"},
      {"User-Agent", std::string(kUserAgent)},
      {"X-DeAPI-Event", std::string(event)},
      {"X-DeAPI-Delivery-Id", std::string(delivery_id)},
      {"X-DeAPI-Timestamp", ts},
      {"webhook-id", std::string(delivery_id)},
      {"webhook-timestamp", ts},
  };
  if (secrets.empty()) {
    return headers;  // an account without a secret (not created by genq): unsigned
  }
  headers.emplace_back("X-DeAPI-Signature", deapi_signature(secrets.front(), timestamp, body));
  if (secrets.size() > 1) {
    headers.emplace_back("X-DeAPI-Signature-Previous", deapi_signature(secrets[1], timestamp, body));
  }
  std::string standard;
  for (const std::string& secret : secrets) {
    if (!standard.empty()) {
      standard += ' ';
    }
    standard += standard_signature(secret, delivery_id, timestamp, body);
  }
  headers.emplace_back("webhook-signature", std::move(standard));
  return headers;
}

}  // namespace genq::webhook
