#pragma once
// The sqlite store's schema and its migrations, versioned by PRAGMA user_version.
#include "genq/core/error.hpp"
#include "genq/store/sqlite/sqlite_connection.hpp"

namespace genq::sqlite {

// The version migrate() brings a database to.
int latest_schema_version();

// Brings the database up to latest_schema_version(), one migration per transaction
// (BEGIN IMMEDIATE, so two processes opening a fresh file do not both migrate).
// Invalid if the file was written by a newer genq (its version is above ours).
// Requires: `connection` is read-write, no transaction open, not shared with a thread.
Status migrate(Connection& connection);

}  // namespace genq::sqlite
