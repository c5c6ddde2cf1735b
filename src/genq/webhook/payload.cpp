#include "genq/webhook/payload.hpp"

#include <boost/json.hpp>

namespace genq::webhook {

std::string render_body(const DueDelivery& delivery, const ResultUrlFn& result_url) {
  boost::json::object data;
  data["job_request_id"] = delivery.job_id;
  data["status"] = to_string(delivery.status);
  data["previous_status"] = to_string(delivery.previous_status);
  data["job_type"] = delivery.task;
  if (delivery.event == kEventProcessing) {
    data["started_at"] = to_iso8601(delivery.occurred_at);
  } else if (delivery.event == kEventCompleted) {
    data["result_url"] = delivery.result_blob.empty() || !result_url ? boost::json::value(nullptr)
                                                                     : boost::json::value(result_url(delivery.result_blob));
    const TimePoint completed = delivery.finished_at.value_or(delivery.occurred_at);
    data["completed_at"] = to_iso8601(completed);
    data["processing_time_ms"] = delivery.started_at ? boost::json::value((completed - *delivery.started_at).count())
                                                     : boost::json::value(nullptr);
  } else if (delivery.event == kEventFailed) {
    data["error_code"] = delivery.error_code;
    data["error_message"] = delivery.error;
    data["failed_at"] = to_iso8601(delivery.occurred_at);
  }
  boost::json::object envelope;
  envelope["event"] = delivery.event;
  envelope["delivery_id"] = delivery.id;
  envelope["timestamp"] = to_iso8601(delivery.occurred_at);
  envelope["data"] = std::move(data);
  return boost::json::serialize(envelope);
}

}  // namespace genq::webhook
