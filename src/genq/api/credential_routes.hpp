#pragma once
// Credentials with a lifecycle (docs/api.md, "Admin API"; docs/security.md): a client's
// API keys added, listed (by id, never the key or its hash) and revoked; worker tokens
// disabled, enabled and deleted. A change takes effect at once on this node and
// within 5 s (the credential cache) on the others.
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

void add_credential_routes(http::Router& router, Services& services);

}  // namespace genq::api
