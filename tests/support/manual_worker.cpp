#include "support/manual_worker.hpp"

#include <boost/json/array.hpp>

#include <stdexcept>

#include "support/media.hpp"
#include "support/wait.hpp"

namespace genq::testing {
namespace {

std::string required_string(const boost::json::object& entry, std::string_view name) {
  const auto* value = entry.if_contains(name);
  if (value == nullptr || !value->is_string()) {
    throw std::runtime_error("claimed job lacks string field " + std::string(name));
  }
  return std::string(value->get_string());
}

std::int64_t optional_integer(const boost::json::object& entry, std::string_view name) {
  const auto* value = entry.if_contains(name);
  return value != nullptr && value->is_number() ? value->to_number<std::int64_t>() : 0;
}

std::string job_path(const ClaimedJob& job, std::string_view action) {
  return "/api/v1/worker/jobs/" + job.job_id + "/" + std::string(action);
}

}  // namespace

ClaimedJob parse_claimed_job(const boost::json::object& entry) {
  ClaimedJob job;
  job.job_id = required_string(entry, "job_id");
  job.lease_id = required_string(entry, "lease_id");
  job.task = required_string(entry, "task");
  job.model = required_string(entry, "model");
  job.output = required_string(entry, "output");
  job.attempt = optional_integer(entry, "attempt");
  job.max_attempts = optional_integer(entry, "max_attempts");
  job.lease_ms = optional_integer(entry, "lease_ms");
  job.heartbeat_ms = optional_integer(entry, "heartbeat_ms");
  job.raw = entry;
  return job;
}

ManualWorker::ManualWorker(const HttpClient& server, const std::string& token,
                           std::string worker_id)
    : http_(server.with_bearer(token)), worker_id_(std::move(worker_id)) {}

HttpResponse ManualWorker::claim_raw(const boost::json::object& body) const {
  std::chrono::milliseconds timeout(30000);
  if (const auto* wait = body.if_contains("wait_ms"); wait != nullptr && wait->is_int64()) {
    timeout += std::chrono::milliseconds(wait->get_int64());
  }
  return http_.with_timeout(timeout).post_json("/api/v1/worker/claim", body);
}

std::vector<ClaimedJob> ManualWorker::claim(std::chrono::milliseconds wait,
                                            const std::vector<std::string>& models,
                                            int max_jobs) const {
  boost::json::object body;
  body["worker_id"] = worker_id_;
  body["max_jobs"] = max_jobs;
  body["wait_ms"] = wait.count();
  if (!models.empty()) {
    boost::json::array list;
    for (const auto& model : models) {
      list.emplace_back(model);
    }
    body["models"] = std::move(list);
  }
  const auto response = claim_raw(body);
  if (response.status != 200) {
    throw std::runtime_error("claim failed: " + response.describe());
  }
  const auto json = response.json();
  const auto* jobs = json_at(json, "/jobs");
  if (jobs == nullptr || !jobs->is_array()) {
    throw std::runtime_error("claim answer has no jobs array: " + response.describe());
  }
  std::vector<ClaimedJob> out;
  for (const auto& entry : jobs->get_array()) {
    out.push_back(parse_claimed_job(entry.as_object()));
  }
  return out;
}

std::optional<ClaimedJob> ManualWorker::claim_job(const std::string& job_id,
                                                  std::chrono::milliseconds timeout) const {
  std::optional<ClaimedJob> found;
  wait_until(timeout, [&] {
    for (auto& job : claim(std::chrono::milliseconds(200))) {
      if (job.job_id == job_id) {
        found = std::move(job);
      } else {
        fail(job, "claimed by a test looking for another job", true);
      }
    }
    return found.has_value();
  });
  return found;
}

HttpResponse ManualWorker::progress(const ClaimedJob& job, double value,
                                    const std::optional<std::string>& preview_jpeg) const {
  boost::json::object body{{"lease_id", job.lease_id}, {"progress", value}};
  if (preview_jpeg) {
    body["preview"] = base64_encode(*preview_jpeg);
  }
  return http_.post_json(job_path(job, "progress"), body);
}

HttpResponse ManualWorker::heartbeat(const ClaimedJob& job) const {
  return http_.post_json(job_path(job, "heartbeat"), boost::json::object{{"lease_id", job.lease_id}});
}

HttpResponse ManualWorker::upload(const ClaimedJob& job, const std::string& bytes,
                                  const std::string& content_type) const {
  return http_.request("PUT", job_path(job, "result") + "?lease_id=" + url_encode(job.lease_id),
                       bytes, content_type);
}

HttpResponse ManualWorker::complete(const ClaimedJob& job, const boost::json::value& result) const {
  boost::json::object body{{"lease_id", job.lease_id}};
  if (!result.is_null()) {
    body["result"] = result;
  }
  return http_.post_json(job_path(job, "complete"), body);
}

HttpResponse ManualWorker::fail(const ClaimedJob& job, const std::string& error,
                                bool retryable) const {
  return http_.post_json(job_path(job, "fail"),
                         boost::json::object{{"lease_id", job.lease_id},
                                             {"error", error},
                                             {"retryable", retryable}});
}

HttpResponse ManualWorker::finish(const ClaimedJob& job) const {
  if (job.output == "text") {
    return complete(job, "manual transcript");
  }
  if (job.output == "json") {
    return complete(job, boost::json::object{{"embedding", boost::json::array{0.25, 0.5}}});
  }
  std::string bytes;
  std::string type;
  if (job.output == "image") {
    std::uint32_t width = 64;
    std::uint32_t height = 64;
    if (const auto* params = job.raw.if_contains("params"); params != nullptr && params->is_object()) {
      const auto& object = params->get_object();
      if (const auto* w = object.if_contains("width"); w != nullptr && w->is_number()) {
        width = w->to_number<std::uint32_t>();
      }
      if (const auto* h = object.if_contains("height"); h != nullptr && h->is_number()) {
        height = h->to_number<std::uint32_t>();
      }
    }
    bytes = make_png(width, height);
    type = "image/png";
  } else if (job.output == "audio") {
    bytes = make_wav(0.5);
    type = "audio/wav";
  } else {
    // Enough of an MP4 for a server that only stores bytes: an ftyp box.
    bytes = std::string("\0\0\0\x18" "ftypisom\0\0\x02\0isommp41", 24);
    type = "video/mp4";
  }
  const auto uploaded = upload(job, bytes, type);
  if (uploaded.status != 200) {
    return uploaded;
  }
  return complete(job);
}

}  // namespace genq::testing
