#pragma once
// The DeliveryStore operations of the sqlite store as plain functions over one
// connection, like job_ops.hpp: SqliteStore runs the writes inside a group commit on
// the writer connection and the reads on a pooled reader. The rows themselves are
// created by the job transitions (outbox.hpp). Not thread-safe by themselves.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/store/delivery_store.hpp"
#include "genq/store/sqlite/sqlite_connection.hpp"

namespace genq::sqlite {

// --- reads; any connection ---
Result<std::vector<std::string>> find_due_hosts(Connection& connection, TimePoint now);
Result<std::optional<TimePoint>> earliest_delivery_after(Connection& connection, TimePoint after);
Result<std::vector<DeliveryRecord>> find_job_deliveries(Connection& connection, const std::string& job_id,
                                                        const std::string& client_id);
Result<std::int64_t> count_pending(Connection& connection);

// --- writes; require an open write transaction ---
Result<std::vector<DueDelivery>> claim_due_deliveries(Connection& connection, const DueQuery& query);
Status record_delivery_attempts(Connection& connection, const std::vector<AttemptRecord>& attempts);
Result<DeliveryRecord> redeliver_delivery(Connection& connection, const std::string& delivery_id,
                                          const std::string& client_id, TimePoint now);
Result<std::int64_t> prune_finished_deliveries(Connection& connection, TimePoint before);

}  // namespace genq::sqlite
