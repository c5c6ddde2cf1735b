#pragma once
// The request-status document (SPEC §3), shared by the client and admin routes:
// {"request_id","status","progress","preview","result_url","results_alt_formats",
//  "result","error","task","model","queue_position","attempts","created_at",
//  "started_at","finished_at","processing_time_ms"}.
// Typed as deAPI's SDK reads it (docs/api.md, "deAPI SDK compatibility"): status one
// of pending/processing/done/error, progress a number, result a string or null.
#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

#include "genq/core/job.hpp"
#include "genq/http/request.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

// "45.50" style progress, or null (the WebSocket event's type).
boost::json::value progress_string(const std::optional<double>& progress);
// The time in ISO 8601, or null: started_at and finished_at here, and the times of the
// webhook delivery routes.
boost::json::value iso_or_null(const std::optional<TimePoint>& t);
// The polling status: in_progress reads "processing" (only the WebSocket event keeps
// in_progress).
std::string_view polled_status(JobStatus status);
// Progress as a JSON number: 0 before any report, 100 when done, the last report
// otherwise (also after an error), two decimals.
double polled_progress(const Job& job);
// data:image/jpeg;base64,... or null.
boost::json::value preview_data_url(const Job& job);
// A fresh signed URL for the result, or null.
boost::json::value result_url(const Job& job, Services& services);
// {"jpg": url, "webp": url, ...}: fresh signed genq /files URLs of the image result in
// each other format (service/alt_format_keys.hpp), converted on first download; null
// unless the job is done with a PNG, JPEG or WebP result.
boost::json::value results_alt_formats(const Job& job, Services& services);
// The inline result for text tasks as a string (JSON outputs such as embeddings as
// their JSON text), or null.
boost::json::value inline_result(const Job& job);
// The same, with JSON outputs parsed (the second dialect nests them in resultJson).
boost::json::value inline_result_value(const Job& job, Services& services);

// The document; queue_position looked up (JobService::queue_position) while pending.
boost::json::object render_status(const Job& job, Services& services);
// render_status plus what only an operator sees: the job's client, its worker and its
// submit's request id (GET /api/v1/admin/jobs and /api/v1/admin/jobs/{request_id}).
boost::json::object render_admin_status(const Job& job, Services& services);
// 200 {"data": render_status(job)}: the answer of request-status, cancel, retry and a
// held (Prefer: wait) submit.
http::Response status_answer(const Job& job, Services& services);

}  // namespace genq::api
