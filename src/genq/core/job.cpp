#include "genq/core/job.hpp"

namespace genq {

std::string_view to_string(JobStatus s) {
  switch (s) {
    case JobStatus::Pending: return "pending";
    case JobStatus::Processing: return "processing";
    case JobStatus::InProgress: return "in_progress";
    case JobStatus::Done: return "done";
    case JobStatus::Error: return "error";
  }
  return "error";
}

std::optional<JobStatus> parse_job_status(std::string_view s) {
  if (s == "pending") return JobStatus::Pending;
  if (s == "processing") return JobStatus::Processing;
  if (s == "in_progress") return JobStatus::InProgress;
  if (s == "done") return JobStatus::Done;
  if (s == "error") return JobStatus::Error;
  return std::nullopt;
}

std::string_view to_string(Priority p) {
  switch (p) {
    case Priority::Low: return "low";
    case Priority::Normal: return "normal";
    case Priority::High: return "high";
  }
  return "normal";
}

std::optional<Priority> parse_priority(std::string_view s) {
  if (s == "low") return Priority::Low;
  if (s == "normal") return Priority::Normal;
  if (s == "high") return Priority::High;
  return std::nullopt;
}

Priority priority_from_int(std::int64_t n) {
  if (n == 0) return Priority::Low;
  if (n == 2) return Priority::High;
  return Priority::Normal;
}

}  // namespace genq
