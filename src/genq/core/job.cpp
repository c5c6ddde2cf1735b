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

}  // namespace genq
