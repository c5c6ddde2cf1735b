#pragma once
// A job and its status state machine (SPEC §2):
//   pending -> processing -> in_progress (repeated) -> done
//   any non-final -> error;  processing/in_progress -> pending on lease expiry.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "genq/core/clock.hpp"

namespace genq {

enum class JobStatus { Pending, Processing, InProgress, Done, Error };

std::string_view to_string(JobStatus s);
std::optional<JobStatus> parse_job_status(std::string_view s);
inline bool is_final(JobStatus s) { return s == JobStatus::Done || s == JobStatus::Error; }

// How urgently a job wants a worker (docs/api.md, "Priorities and fair share"):
// claims take higher priorities first. Stored as its number; a client may submit up to
// the priority its operator granted (Client::max_priority).
enum class Priority { Low = 0, Normal = 1, High = 2 };

std::string_view to_string(Priority p);
std::optional<Priority> parse_priority(std::string_view s);
// The stored number back to a Priority; out of range reads Normal.
Priority priority_from_int(std::int64_t n);

// Which API dialect created the job; both read every job (SPEC §6).
enum class Dialect { Client, Task };

// The most of a failure's detail a job keeps (Job::failure_detail).
inline constexpr std::size_t kMaxFailureDetailBytes = 16 * 1024;

struct Job {
  std::string id;         // UUID (v7: time-ordered), the request_id
  std::int64_t seq = 0;   // store-assigned submit order (queue position, FIFO claims)
  std::string client_id;
  std::string task;       // e.g. "txt2img"
  std::string model;      // catalog name, e.g. "Flux1schnell"
  std::string params_json;  // validated parameters with defaults filled in (JSON object)
  std::string inputs_json;  // {"image":"<blob key>",...} for uploaded files (JSON object)
  Dialect dialect = Dialect::Client;
  Priority priority = Priority::Normal;

  JobStatus status = JobStatus::Pending;
  std::optional<double> progress;        // 0..100, two decimals
  std::string preview_jpeg;              // latest preview (raw JPEG bytes), empty if none
  std::string result_blob;               // blob key of the result file, empty if none
  std::string result_mime;               // content type of result_blob
  std::optional<std::string> result_text;  // inline text/JSON result for text tasks
  // The file a worker uploaded under its lease (PUT .../result), recorded when it is
  // stored so that complete, cancel and retention on any node know it; empty if none.
  std::string upload_blob;
  std::string upload_mime;
  std::string error;                     // message when status == Error

  int attempts = 0;       // claims so far
  int max_attempts = 3;
  std::string worker_id;  // current or last worker
  std::string lease_id;   // current lease; empty when not leased
  std::optional<TimePoint> lease_expires_at;

  std::string webhook_url;     // per-job target; empty = account webhook
  std::string webhook_secret;  // per-job signing secret; empty = account secret
  // The events this job's webhooks report (a JSON array, docs/webhooks.md "Event
  // filters"), to its webhook_url or the account's; empty = the default (every event
  // to its own URL, the account's list to the account webhook).
  std::string webhook_events;
  // The submit's X-Request-Id (http/request_id.hpp): carried into the webhook attempts'
  // and the worker's calls and log lines, so one id joins everything about the job.
  std::string submit_request_id;
  // The last failed attempt's note for operators (a tool's stderr, docs/security.md):
  // the admin API shows it, never a client's view. At most kMaxFailureDetailBytes.
  std::string failure_detail;

  // Deadlines (docs/api.md, "Deadlines"); a zero duration is none. A job still pending
  // at start_deadline (submit or retry + cancel_after) ends in error EXPIRED; an attempt
  // still running at run_deadline (its claim + execution_timeout) ends in error
  // WORKER_TIMEOUT, and its lease never outlives that time.
  Millis cancel_after{0};
  std::optional<TimePoint> start_deadline;
  Millis execution_timeout{0};
  std::optional<TimePoint> run_deadline;

  TimePoint created_at{};
  // 1 at submit, +1 with every stored change that is published (claim, progress,
  // complete, release, fail, cancel, lease expiry); heartbeats leave it. Subscribers use
  // it to drop a change that arrives after a newer one (events across nodes).
  std::int64_t version = 0;
  std::optional<TimePoint> started_at;   // first pending -> processing
  std::optional<TimePoint> finished_at;  // done or error
};

}  // namespace genq
