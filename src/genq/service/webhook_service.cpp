#include "genq/service/webhook_service.hpp"

namespace genq {

Result<std::vector<DeliveryRecord>> WebhookService::deliveries_for_request(const std::string& request_id,
                                                                           const std::string& client_id) {
  Result<Job> job = jobs_.get(request_id);
  if (!job) {
    return fail(std::move(job.error()));
  }
  if (job->client_id != client_id) {
    return fail(Error::not_found("no such request"));
  }
  return deliveries_.deliveries_for_job(request_id, client_id);
}

Result<std::int64_t> WebhookService::recover_account_webhook(const std::string& client_id, TimePoint since,
                                                             TimePoint until) {
  Result<std::int64_t> recovered = deliveries_.recover_account_webhook(client_id, since, until);
  if (recovered && *recovered > 0 && wake_sender_) {
    wake_sender_();
  }
  return recovered;
}

Result<DeliveryRecord> WebhookService::redeliver(const std::string& delivery_id, const std::string& client_id) {
  Result<DeliveryRecord> record = deliveries_.redeliver(delivery_id, client_id);
  if (record && wake_sender_) {
    wake_sender_();
  }
  return record;
}

}  // namespace genq
