#pragma once
// Which store a command opens: a --store URL (postgres://…, shared by every node), or
// by default the SQLite database under --data.
#include <memory>
#include <string>
#include <string_view>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/store/store.hpp"

namespace genq::app {

struct StoreChoice {
  std::string url;          // postgres:// or postgresql://; empty = SQLite at sqlite_path
  std::string sqlite_path;  // the data directory's genq.db
  bool sqlite_sync_full = true;
  int read_connections = 4;  // SQLite readers, or PostgreSQL pooled connections
  // A serving node: hear other processes' account changes at once (PostgresOptions).
  bool hear_account_changes = false;
};

// Whether `url` names a PostgreSQL database (postgres:// or postgresql://).
bool is_postgres_url(std::string_view url);

// Opens (and migrates) the chosen store. Invalid for a URL of any other scheme.
// Borrows `clock`, which must outlive the store.
Result<std::unique_ptr<Store>> open_store(const StoreChoice& choice, const Clock& clock);

// The clock a node with this store runs on: for PostgreSQL, the database's
// (postgres::DatabaseClock), so every node stamps and judges leases by one time; else
// this machine's. Unavailable if the database cannot be reached.
Result<std::unique_ptr<Clock>> open_clock(const StoreChoice& choice);

// The store for messages: the URL without its password, or the SQLite file.
std::string describe(const StoreChoice& choice);

}  // namespace genq::app
