#pragma once
// The request-status document (SPEC §3), shared by the client and admin routes:
// {"request_id","status","progress","preview","result_url","result","error",
//  "task","model","queue_position","attempts","created_at","started_at",
//  "finished_at","processing_time_ms"}.
#include <boost/json/object.hpp>

#include <optional>

#include "genq/core/job.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

// "45.50" style progress, or null.
boost::json::value progress_string(const std::optional<double>& progress);
// data:image/jpeg;base64,... or null.
boost::json::value preview_data_url(const Job& job);
// A fresh signed URL for the result, or null.
boost::json::value result_url(const Job& job, Services& services);
// The inline result for text tasks (string, or parsed JSON for JSON outputs), or null.
boost::json::value inline_result(const Job& job, Services& services);

boost::json::object render_status(const Job& job, Services& services, std::optional<std::int64_t> queue_position);

}  // namespace genq::api
