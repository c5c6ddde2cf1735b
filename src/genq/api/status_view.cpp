#include "genq/api/status_view.hpp"

#include <boost/json/parse.hpp>

#include <fmt/format.h>

#include <cmath>

#include "genq/crypto/crypto.hpp"
#include "genq/http/responses.hpp"
#include "genq/service/alt_format_keys.hpp"
#include "genq/service/download_url.hpp"

namespace genq::api {

boost::json::value progress_string(const std::optional<double>& progress) {
  if (!progress) return nullptr;
  return boost::json::string(fmt::format("{:.2f}", *progress));
}

boost::json::value preview_data_url(const Job& job) {
  if (job.preview_jpeg.empty() || is_final(job.status)) return nullptr;
  return boost::json::string("data:image/jpeg;base64," + crypto::base64_encode(job.preview_jpeg));
}

boost::json::value result_url(const Job& job, Services& services) {
  if (job.status != JobStatus::Done || job.result_blob.empty()) return nullptr;
  return boost::json::string(download_url(services.jobs.blobs(), services.signer, job.result_blob,
                                          services.jobs.clock().now(), services.jobs.options().url_ttl));
}

boost::json::value results_alt_formats(const Job& job, Services& services) {
  const auto formats = alt_formats_of(job);
  if (formats.empty()) return nullptr;
  // Always genq's own URL, also with S3 blobs: a copy may not exist yet, and genq
  // makes it on the first download (api/ops_routes.cpp).
  const TimePoint now = services.jobs.clock().now();
  boost::json::object urls;
  for (const AltFormat& alt : formats) {
    urls[media::extension_of(alt.format)] = services.signer.sign(alt.key, now, services.jobs.options().url_ttl);
  }
  return urls;
}

std::string_view polled_status(JobStatus status) {
  return status == JobStatus::InProgress ? std::string_view("processing") : to_string(status);
}

double polled_progress(const Job& job) {
  if (job.status == JobStatus::Done) return 100.0;
  return std::round(job.progress.value_or(0.0) * 100.0) / 100.0;
}

boost::json::value inline_result(const Job& job) {
  if (job.status != JobStatus::Done || !job.result_text) return nullptr;
  return boost::json::string(*job.result_text);
}

boost::json::value inline_result_value(const Job& job, Services& services) {
  if (job.status != JobStatus::Done || !job.result_text) return nullptr;
  const auto* task = services.catalog.find_task(job.task);
  if (task && task->output == catalog::OutputKind::Json) {
    boost::system::error_code ec;
    auto value = boost::json::parse(*job.result_text, ec);
    if (!ec) return value;
  }
  return boost::json::string(*job.result_text);
}

boost::json::value iso_or_null(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return boost::json::string(to_iso8601(*t));
}

boost::json::object render_status(const Job& job, Services& services) {
  // nullopt unless pending; a store that cannot count it leaves it null, not an error.
  auto queue_position = services.jobs.queue_position(job);
  boost::json::object data;
  data["request_id"] = job.id;
  data["status"] = polled_status(job.status);
  data["progress"] = polled_progress(job);
  data["preview"] = preview_data_url(job);
  data["result_url"] = result_url(job, services);
  data["results_alt_formats"] = results_alt_formats(job, services);
  data["result"] = inline_result(job);
  data["error"] = job.status == JobStatus::Error ? boost::json::value(job.error) : boost::json::value(nullptr);
  data["task"] = job.task;
  data["model"] = job.model;
  data["priority"] = to_string(job.priority);
  data["queue_position"] =
      queue_position && *queue_position ? boost::json::value(**queue_position) : boost::json::value(nullptr);
  // From the model's recent rate (docs/api.md, "Queue and ETA"); null when not pending
  // or when no job of the model was done lately.
  const auto wait = queue_position ? services.jobs.estimated_wait_s(job, *queue_position) : std::nullopt;
  data["estimated_wait_s"] = wait ? boost::json::value(*wait) : boost::json::value(nullptr);
  data["attempts"] = job.attempts;
  data["created_at"] = to_iso8601(job.created_at);
  data["started_at"] = iso_or_null(job.started_at);
  data["finished_at"] = iso_or_null(job.finished_at);
  // When retention deletes the job's files (result, inputs): a client knows how long
  // result_url works, and why it is null afterwards (docs/api.md).
  const auto& options = services.jobs.options();
  data["result_expires_at"] =
      job.finished_at ? iso_or_null(*job.finished_at + std::min(options.result_ttl, options.job_retention)) : nullptr;
  if (job.started_at && job.finished_at) {
    data["processing_time_ms"] = (*job.finished_at - *job.started_at).count();
  } else {
    data["processing_time_ms"] = nullptr;
  }
  return data;
}

boost::json::object render_admin_status(const Job& job, Services& services) {
  boost::json::object data = render_status(job, services);
  data["client_id"] = job.client_id;
  data["worker_id"] = job.worker_id;
  data["submit_request_id"] = job.submit_request_id;
  // The worker's note on the last failed attempt (a tool's stderr): operators only.
  data["failure_detail"] = job.failure_detail.empty() ? boost::json::value(nullptr) : boost::json::value(job.failure_detail);
  return data;
}

http::Response status_answer(const Job& job, Services& services) {
  return http::json_response(200, boost::json::object{{"data", render_status(job, services)}});
}

}  // namespace genq::api
