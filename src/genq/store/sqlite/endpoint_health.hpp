#pragma once
// The sqlite store's account-webhook health (docs/webhooks.md, "Endpoint health"):
// DeliveryStore::note_endpoint_attempts and AccountStore::recover_account_webhook.
// Require an open write transaction.
#include <cstdint>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/store/delivery_store.hpp"
#include "genq/store/sqlite/sqlite_connection.hpp"

namespace genq::sqlite {

Result<std::vector<DisabledEndpoint>> note_endpoint_attempts(Connection& connection,
                                                             const std::vector<EndpointAttempt>& attempts,
                                                             const EndpointRules& rules);
Result<std::int64_t> recover_account_webhook(Connection& connection, const std::string& client_id, TimePoint since,
                                             TimePoint until, TimePoint now);

}  // namespace genq::sqlite
