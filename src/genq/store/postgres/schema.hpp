#pragma once
// The PostgreSQL store's tables and their versioned migrations.
#include "genq/core/error.hpp"
#include "genq/store/postgres/pg_connection.hpp"

namespace genq::postgres {

// The schema version this genq writes.
int latest_schema_version();

// Brings the database to latest_schema_version(). Safe when several nodes start at
// once: they take turns under a session advisory lock, and each migration commits
// with its version number, so a node that waited finds the work done. Invalid if the
// database comes from a newer genq. Requires: no open transaction.
Status migrate(Connection& connection);

}  // namespace genq::postgres
