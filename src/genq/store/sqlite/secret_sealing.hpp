#pragma once
// The sqlite store's half of Store::seal_stored_secrets (sealed_secrets.hpp).
#include <cstdint>

#include "genq/core/error.hpp"
#include "genq/crypto/secret_box.hpp"
#include "genq/store/sqlite/sqlite_connection.hpp"

namespace genq::sqlite {

// Requires an open write transaction. Seals every plain webhook secret of clients and
// jobs with `box` and records its key id, unless the database already has one: then
// nothing to do for the same key, Invalid for another. Returns the values sealed.
Result<std::int64_t> seal_plain_secrets(Connection& connection, const crypto::SecretBox& box);

}  // namespace genq::sqlite
