#pragma once
// The JSON body of a webhook delivery, deAPI's envelope (SPEC §4):
//   {"event","delivery_id","timestamp","data":{"job_request_id","status",
//    "previous_status","job_type", ...event fields}}
// job.processing adds started_at; job.completed result_url, completed_at and
// processing_time_ms; job.failed error_code, error_message and failed_at.
// "timestamp" is when the transition committed, so every attempt carries the same
// body except for result_url, which is signed afresh so a late retry still downloads.
//
// Pure; thread-safe.
#include <functional>
#include <string>

#include "genq/store/delivery_store.hpp"

namespace genq::webhook {

// Signs a blob key into an absolute, expiring download URL.
using ResultUrlFn = std::function<std::string(const std::string& blob_key)>;

std::string render_body(const DueDelivery& delivery, const ResultUrlFn& result_url);

// What the engine sends as a delivery's body; render_body for deAPI's envelope, and
// the owner's renderer for second-dialect callbacks (DueDelivery::callback).
using BodyFn = std::function<std::string(const DueDelivery& delivery)>;

}  // namespace genq::webhook
