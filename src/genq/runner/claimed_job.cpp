#include "genq/runner/claimed_job.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <array>
#include <utility>

namespace genq::runner {
namespace {

namespace json = boost::json;
using catalog::OutputKind;

std::optional<std::int64_t> integer_field(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->is_int64()) {
    return v->get_int64();
  }
  if (v->is_uint64()) {
    return static_cast<std::int64_t>(std::min<std::uint64_t>(v->get_uint64(), INT64_MAX));
  }
  if (v->is_double()) {
    // Outside int64's range (1e300, inf, NaN) the conversion is undefined: such a value
    // is no number of milliseconds or attempts, so it is ignored as absent.
    const double d = v->get_double();
    if (!(d >= -9.2e18 && d <= 9.2e18)) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

// Lease times past a day are no lease genq grants; capped so that adding them to a
// clock cannot overflow.
constexpr std::int64_t kMaxLeaseMs = 24LL * 3600 * 1000;

std::string string_field(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

Result<ClaimedJob> parse_job(const json::value& value) {
  if (!value.is_object()) {
    return fail(Error::internal("claim answer: a job is not an object"));
  }
  const json::object& object = value.get_object();
  ClaimedJob job;
  job.lease.job_id = string_field(object, "job_id");
  job.lease.lease_id = string_field(object, "lease_id");
  job.lease.request_id = string_field(object, "submit_request_id");
  if (job.lease.job_id.empty() || job.lease.lease_id.empty()) {
    return fail(Error::internal("claim answer: a job lacks job_id or lease_id"));
  }
  if (auto ms = integer_field(object, "lease_ms"); ms && *ms > 0) {
    job.lease_duration = std::chrono::milliseconds(std::min(*ms, kMaxLeaseMs));
  }
  // The protocol says a third of the lease; derive it the same way when absent.
  job.heartbeat_interval = job.lease_duration / 3;
  if (auto ms = integer_field(object, "heartbeat_ms"); ms && *ms > 0) {
    job.heartbeat_interval = std::chrono::milliseconds(std::min(*ms, kMaxLeaseMs));
  }
  job.task = string_field(object, "task");
  job.model = string_field(object, "model");
  if (const json::value* params = object.if_contains("params"); params && params->is_object()) {
    job.params = params->get_object();
  }
  if (const json::value* inputs = object.if_contains("inputs"); inputs && inputs->is_object()) {
    for (const auto& [field, url] : inputs->get_object()) {
      if (url.is_string()) {
        job.inputs.emplace(std::string(field), std::string(url.get_string()));
      }
    }
  }
  job.output_name = string_field(object, "output");
  job.output = job.output_name.empty() ? output_kind_for_task(job.task)
                                       : catalog::parse_output_kind(job.output_name);
  job.attempt = static_cast<int>(integer_field(object, "attempt").value_or(1));
  job.max_attempts = static_cast<int>(integer_field(object, "max_attempts").value_or(job.attempt));
  return job;
}

}  // namespace

Result<std::vector<ClaimedJob>> parse_claim_response(const json::value& answer) {
  const json::value* jobs = answer.is_object() ? answer.get_object().if_contains("jobs") : nullptr;
  if (jobs == nullptr || !jobs->is_array()) {
    return fail(Error::internal("claim answer has no \"jobs\" array"));
  }
  std::vector<ClaimedJob> out;
  out.reserve(jobs->get_array().size());
  for (const json::value& value : jobs->get_array()) {
    auto job = parse_job(value);
    if (!job) {
      return fail(job.error());
    }
    out.push_back(std::move(*job));
  }
  return out;
}

std::optional<OutputKind> output_kind_for_task(std::string_view task) {
  static constexpr std::array<std::pair<std::string_view, OutputKind>, 15> kTasks = {{
      {"txt2img", OutputKind::Image},
      {"img2img", OutputKind::Image},
      {"img-upscale", OutputKind::Image},
      {"img-rmbg", OutputKind::Image},
      {"txt2audio", OutputKind::Audio},
      {"txt2music", OutputKind::Audio},
      {"txt2video", OutputKind::Video},
      {"img2video", OutputKind::Video},
      {"vid-upscale", OutputKind::Video},
      {"vid-rmbg", OutputKind::Video},
      {"transcribe", OutputKind::Text},
      {"aud2txt", OutputKind::Text},
      {"vid2txt", OutputKind::Text},
      {"img2txt", OutputKind::Text},
      {"txt2embedding", OutputKind::Json},
  }};
  for (const auto& [known, kind] : kTasks) {
    if (known == task) {
      return kind;
    }
  }
  return std::nullopt;
}

}  // namespace genq::runner
