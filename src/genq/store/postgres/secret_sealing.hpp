#pragma once
// The postgres store's half of Store::seal_stored_secrets (sealed_secrets.hpp).
#include <cstdint>

#include "genq/core/error.hpp"
#include "genq/store/postgres/pg_connection.hpp"

namespace genq::postgres {

// Requires an open transaction. Seals the webhook secrets of clients and jobs with the
// installed key (secret_box()) and records its key id: the plain ones on a first key,
// all of them again on a change of key (previous_secret_box()). Nothing to do when the
// database records the installed key, or no key is installed; Invalid for another key.
// Nodes starting at once take turns (a table lock), so one seals and the others find
// its record. Returns the values sealed.
Result<std::int64_t> seal_stored_secrets(Connection& connection);

}  // namespace genq::postgres
