#include "genq/api/task_view.hpp"

#include <boost/json.hpp>

#include <cmath>

#include "genq/api/status_view.hpp"
#include "genq/core/json_text.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

constexpr std::string_view kTaskIdPrefix = "task_";

// {"resultUrls":[signed url]} plus, for text and JSON tasks, the inline "result"
// (the same value request-status gives), serialised: resultJson is a string.
std::string result_json(const Job& job, Services& services) {
  boost::json::array urls;
  if (auto url = result_url(job, services); url.is_string()) urls.push_back(url);
  boost::json::object result{{"resultUrls", std::move(urls)}};
  if (auto inline_value = inline_result_value(job, services); !inline_value.is_null()) {
    result["result"] = std::move(inline_value);
  }
  return boost::json::serialize(result);
}

}  // namespace

std::string task_id_for(std::string_view job_id) { return std::string(kTaskIdPrefix) + std::string(job_id); }

std::string job_id_from_task_id(std::string_view task_id) {
  if (task_id.starts_with(kTaskIdPrefix)) task_id.remove_prefix(kTaskIdPrefix.size());
  return std::string(task_id);
}

std::string_view task_state(JobStatus status) {
  switch (status) {
    case JobStatus::Pending: return "pending";
    case JobStatus::Processing:
    case JobStatus::InProgress: return "processing";
    case JobStatus::Done: return "success";
    case JobStatus::Error: return "failed";
  }
  return "failed";
}

boost::json::object render_task_status(const Job& job, Services& services) {
  boost::json::object data;
  data["taskId"] = task_id_for(job.id);
  data["state"] = task_state(job.status);
  if (job.status == JobStatus::Done) {
    data["resultJson"] = result_json(job, services);
  }
  if (job.status == JobStatus::Error) {
    data["failMsg"] = job.error;
  }
  if (is_final(job.status) && job.started_at && job.finished_at) {
    data["costTime"] = (*job.finished_at - *job.started_at).count();
  }
  // Not in the seed: progress 0..100 as a number, for progress bars.
  const double progress = job.status == JobStatus::Done ? 100.0 : job.progress.value_or(0.0);
  data["progress"] = std::round(progress * 100.0) / 100.0;
  return boost::json::object{{"code", 200}, {"message", "success"}, {"data", std::move(data)}};
}

std::string render_callback_body(const DueDelivery& delivery, Services& services) {
  auto job = services.jobs.get(delivery.job_id);
  if (job) return json_text(render_task_status(*job, services));
  Job reported;
  reported.id = delivery.job_id;
  reported.task = delivery.task;
  reported.status = delivery.status;
  reported.error = delivery.error;
  reported.result_blob = delivery.result_blob;
  reported.started_at = delivery.started_at;
  reported.finished_at = delivery.finished_at;
  return json_text(render_task_status(reported, services));
}

http::Response task_error(unsigned status, std::string message) {
  return http::json_response(status, boost::json::object{{"code", status}, {"message", std::move(message)},
                                                         {"data", nullptr}});
}

http::Response to_task_envelope(http::Response response) {
  if (response.status < 400) return response;
  std::string message = "Request failed.";
  boost::system::error_code ec;
  if (auto body = boost::json::parse(response.body, ec); !ec && body.is_object()) {
    if (const auto* m = body.get_object().if_contains("message"); m && m->is_string()) {
      message = std::string(m->get_string());
    }
  }
  http::Response enveloped = task_error(response.status, std::move(message));
  enveloped.headers = std::move(response.headers);
  return enveloped;
}

}  // namespace genq::api
