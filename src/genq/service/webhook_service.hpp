#pragma once
// The client's view of its webhook deliveries (SPEC §4): the delivery log of a
// request and redelivery. The deliveries themselves are written by the job store's
// transitions and sent by webhook::DeliveryEngine; this only reads the log and
// reschedules. Thread-safe; redeliver blocks on a durable write (blocking pool).
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "genq/store/delivery_store.hpp"
#include "genq/store/job_store.hpp"

namespace genq {

class WebhookService {
 public:
  // `wake_sender` tells the delivery engine a delivery is due now; may be empty.
  WebhookService(DeliveryStore& deliveries, JobStore& jobs, std::function<void()> wake_sender)
      : deliveries_(deliveries), jobs_(jobs), wake_sender_(std::move(wake_sender)) {}

  // The deliveries of a request, oldest first, with their attempts. NotFound unless
  // the request exists and belongs to client_id (SPEC §1: never a hint).
  Result<std::vector<DeliveryRecord>> deliveries_for_request(const std::string& request_id,
                                                             const std::string& client_id);

  // Sends the delivery again now, under the same delivery id. NotFound unless it
  // belongs to client_id.
  Result<DeliveryRecord> redeliver(const std::string& delivery_id, const std::string& client_id);

  // Enables the client's account webhook again and sends again now every failed
  // delivery to it created in [since, until); returns how many (docs/webhooks.md,
  // "Endpoint health").
  Result<std::int64_t> recover_account_webhook(const std::string& client_id, TimePoint since, TimePoint until);

  Result<std::int64_t> pending_count() { return deliveries_.count_pending_deliveries(); }
  // The earliest next attempt of a pending delivery (due now if it has passed); the
  // age of the oldest due one on /metrics.
  Result<std::optional<TimePoint>> earliest_pending() { return deliveries_.next_delivery_time(TimePoint{}); }

 private:
  DeliveryStore& deliveries_;
  JobStore& jobs_;
  std::function<void()> wake_sender_;
};

}  // namespace genq
