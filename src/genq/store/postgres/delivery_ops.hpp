#pragma once
// The webhook outbox as the delivery engine and the delivery log read it, over one
// connection. Writes require an open transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "genq/store/delivery_store.hpp"
#include "genq/store/postgres/pg_connection.hpp"

namespace genq::postgres {

Result<std::vector<std::string>> find_due_hosts(Connection& connection, TimePoint now);
Result<std::vector<DueDelivery>> find_due_deliveries(Connection& connection, const DueQuery& query);
Result<std::optional<TimePoint>> earliest_delivery_after(Connection& connection, TimePoint after);
Result<std::vector<DeliveryRecord>> find_job_deliveries(Connection& connection, const std::string& job_id,
                                                        const std::string& client_id);
Result<std::int64_t> count_pending(Connection& connection);
Status record_delivery_attempts(Connection& connection, const std::vector<AttemptRecord>& attempts);
Result<DeliveryRecord> redeliver_delivery(Connection& connection, const std::string& delivery_id,
                                          const std::string& client_id, TimePoint now);
// Up to `limit` final deliveries finished before `before` (their attempts go with
// them, ON DELETE CASCADE); rows another node is pruning are skipped.
Result<std::int64_t> prune_finished_deliveries(Connection& connection, TimePoint before, int limit);

}  // namespace genq::postgres
