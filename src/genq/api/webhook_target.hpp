#pragma once
// Validation of webhook and callback URLs given by clients (SPEC §4): absolute
// https:// URLs (http:// only when the operator allows it), with a host that is not
// (and does not resolve to) a loopback, private or link-local address unless the
// operator allows those (ApiOptions::webhook_target_check, the SSRF guard).
// May block on DNS: call it from Exec::Pool routes.
#include <optional>
#include <string>

#include "genq/service/services.hpp"

namespace genq::api {

// The problem with `url` in Laravel style ("The webhook url must be a valid URL."),
// or nullopt when it is acceptable. `field` names the field in messages.
std::optional<std::string> webhook_url_problem(const std::string& url, const std::string& field,
                                               const ApiOptions& options);

}  // namespace genq::api
