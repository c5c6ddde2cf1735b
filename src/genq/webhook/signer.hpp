#pragma once
// The signed headers of a webhook attempt (SPEC §4), two schemes on one request:
//
//   deAPI:  X-DeAPI-Signature: sha256=<hex HMAC-SHA256(key, "{timestamp}.{body}")>
//           key = the UTF-8 bytes of the whole secret as shown ("whsec_..." included)
//   Standard Webhooks:
//           webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>
//           key = base64-decoded part after "whsec_", or the UTF-8 bytes of a secret
//           without that prefix
//
// During a secret rotation's overlap window both secrets sign: webhook-signature
// carries two space-separated v1 signatures (the new one first), X-DeAPI-Signature
// the new one and X-DeAPI-Signature-Previous the old one.
//
// Pure functions; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/store/delivery_store.hpp"

namespace genq::webhook {

using Header = std::pair<std::string, std::string>;

// "sha256=<lowercase hex>".
std::string deapi_signature(std::string_view secret, std::int64_t timestamp, std::string_view body);
// "v1,<base64>".
std::string standard_signature(std::string_view secret, std::string_view delivery_id, std::int64_t timestamp,
                               std::string_view body);
// The HMAC key Standard Webhooks derives from a secret.
std::string standard_key(std::string_view secret);

// The secrets that sign `delivery` at `now`, newest first: the job's own secret, or
// the account's current one plus the previous one while its overlap lasts.
std::vector<std::string> signing_secrets(const DueDelivery& delivery, TimePoint now);

// Every header of one attempt: Content-Type, User-Agent, X-DeAPI-* and webhook-*.
// `timestamp` is the attempt's unix time in seconds; `secrets` newest first.
std::vector<Header> signed_headers(std::string_view event, std::string_view delivery_id, std::int64_t timestamp,
                                   std::string_view body, const std::vector<std::string>& secrets);

}  // namespace genq::webhook
