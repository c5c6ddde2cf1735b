#pragma once
// A job as the claim call hands it to the worker (docs/worker-protocol.md,
// "POST /api/v1/worker/claim"), and the parser for that answer. Plain values;
// parsing is pure and thread-safe.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "genq/catalog/catalog.hpp"
#include "genq/core/error.hpp"

namespace genq::runner {

// What every call about a leased job names.
struct Lease {
  std::string job_id;
  std::string lease_id;
  // The submit's request id (submit_request_id): sent as X-Request-Id on every call
  // about the job, and the request_id of this worker's log lines about it.
  std::string request_id;
};

struct ClaimedJob {
  Lease lease;
  std::chrono::milliseconds lease_duration{30'000};      // lease_ms
  std::chrono::milliseconds heartbeat_interval{10'000};  // heartbeat_ms
  std::string task;
  std::string model;
  boost::json::object params;
  std::map<std::string, std::string> inputs;  // file field -> signed URL
  // nullopt when the server named an output kind this worker does not know; the job
  // is then failed rather than guessed at.
  std::optional<catalog::OutputKind> output;
  std::string output_name;  // as sent, for that error message
  int attempt = 1;
  int max_attempts = 1;
};

// Parses {"jobs": [...]}. Internal (a protocol mismatch) when the answer lacks the
// jobs array or a job lacks job_id / lease_id: the worker cannot even fail such a job.
Result<std::vector<ClaimedJob>> parse_claim_response(const boost::json::value& answer);

// The output a task produces, for answers without an "output" field.
std::optional<catalog::OutputKind> output_kind_for_task(std::string_view task);

}  // namespace genq::runner
