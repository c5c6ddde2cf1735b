#pragma once
// The submit-time half of the SSRF guard (SPEC §4): a webhook_url (or account
// webhook url) whose host is, or resolves to, an address the AddressPolicy refuses
// is rejected with 422 before any job exists. The send-time half lives in
// curl_sender.hpp and checks again at every connection, since DNS answers change.
//
// Thread-safe. Blocks on DNS (getaddrinfo) for host names, so it belongs on the
// blocking pool, where the submit route already runs.
#include <optional>
#include <string>

#include "genq/webhook/address_guard.hpp"

namespace genq::webhook {

// Why `url` may not be a webhook target, e.g. "resolves to 10.0.0.5, a private
// address", or nullopt. A host that does not resolve now is accepted: its deliveries
// are checked (and retried) at send time, and a receiver's DNS hiccup should not
// fail the client's submit.
std::optional<std::string> target_refusal(const std::string& url, const AddressPolicy& policy);

}  // namespace genq::webhook
