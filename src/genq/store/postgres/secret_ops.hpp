#pragma once
// The cluster_secrets table (SecretStore) as a plain function over one connection.
#include <string>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/store/postgres/pg_connection.hpp"

namespace genq::postgres {

// Inserts (name, value_if_new) unless the name exists, then reads the stored value.
// Outside a transaction: under READ COMMITTED the read then sees a row another node
// committed while the insert waited on it.
Result<std::string> read_or_insert_secret(Connection& connection, const std::string& name,
                                          const std::string& value_if_new, TimePoint now);

}  // namespace genq::postgres
