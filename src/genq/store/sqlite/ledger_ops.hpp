#pragma once
// Balances and the usage ledger of the sqlite store as plain functions over one
// connection, like account_ops.hpp. Not thread-safe by themselves; writes require an
// open write transaction.
#include <cstdint>
#include <string>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/core/job.hpp"
#include "genq/store/account_store.hpp"
#include "genq/store/sqlite/sqlite_connection.hpp"

namespace genq::sqlite {

// --- writes ---
Result<Balance> add_top_up(Connection& connection, const std::string& client_id, std::int64_t amount_nanos,
                           const std::string& note, TimePoint now);
Result<Balance> update_unlimited(Connection& connection, const std::string& client_id, bool unlimited);
// Charges `job` (just made done) its price_nanos, once: a ledger entry and, unless the
// client is unlimited, the debit. Nothing for jobs submitted without a price.
// Requires: the write transaction that made the job done.
Status charge_done_job(Connection& connection, const Job& job, TimePoint now);

// --- reads ---
Result<Balance> read_balance(Connection& connection, const std::string& client_id);
Result<LedgerPage> read_ledger(Connection& connection, const std::string& client_id, std::int64_t offset,
                               std::int64_t limit);

}  // namespace genq::sqlite
