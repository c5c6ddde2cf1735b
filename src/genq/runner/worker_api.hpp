#pragma once
// The client side of docs/worker-protocol.md: one method per endpoint, one attempt
// each. Answers map to errors so callers decide about retries by kind alone:
//   network error, 5xx, 429 -> Unavailable (retry with backoff)
//   409                     -> Conflict    (lease lost: stop the job, never retry)
//   401, 403                -> Forbidden   (token rejected)
//   404                     -> NotFound
//   400, 413, 422, other    -> Invalid
// Not thread-safe (owns one HttpClient); each thread makes its own WorkerApi.
#include <boost/json/value.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/error.hpp"
#include "genq/runner/claimed_job.hpp"
#include "genq/runner/http_client.hpp"

namespace genq::runner {

struct ClaimRequest {
  std::string worker_id;
  std::vector<std::string> models;  // empty: omitted, the token decides
  int max_jobs = 1;
  std::chrono::milliseconds wait{25'000};
};

class WorkerApi {
 public:
  // `server_url` like http://127.0.0.1:8080 (a trailing slash is fine).
  WorkerApi(std::string server_url, std::string token);

  // Long-polls for up to request.wait; the request's own timeout is longer than that.
  Result<std::vector<ClaimedJob>> claim(const ClaimRequest& request, const std::atomic<bool>* abort);
  // `preview_jpeg` is raw JPEG bytes (sent base64); empty sends no preview.
  Status progress(const Lease& lease, double percent, std::string_view preview_jpeg,
                  const std::atomic<bool>* abort);
  Status heartbeat(const Lease& lease, const std::atomic<bool>* abort);
  Status upload_result(const Lease& lease, const std::filesystem::path& file,
                       std::string_view content_type, const std::atomic<bool>* abort);
  Status complete(const Lease& lease, const std::optional<boost::json::value>& result);
  // Returns the job's new status ("error" or "pending"). `detail`, for operators only,
  // is sent when not empty (its first 16 KiB).
  Result<std::string> fail_job(const Lease& lease, std::string_view error, bool retryable,
                               std::string_view error_code = "PROCESSING_ERROR", std::string_view detail = {});
  // Gives the job back unjudged (shutting down, no free slot): the attempt is not
  // counted. Returns the job's status after it ("pending").
  Result<std::string> release(const Lease& lease);
  // GET a signed input URL into `file`; no token is sent. A relative URL is taken as
  // relative to the server.
  Status download(const std::string& url, const std::filesystem::path& file,
                  const std::atomic<bool>* abort);

 private:
  std::string endpoint(const Lease& lease, std::string_view action) const;
  Result<boost::json::value> post(const std::string& url, const boost::json::value& body,
                                  std::chrono::milliseconds timeout, const std::atomic<bool>* abort,
                                  const std::string& request_id = {});

  std::string server_url_;
  std::string token_;
  HttpClient http_;
};

// The error an HTTP answer stands for, following the table above; `body` supplies the
// server's message. Pure.
Error error_from_answer(long status, std::string_view body);

// Whether an error is worth retrying with backoff.
inline bool is_retryable(const Error& error) { return error.kind == ErrorKind::Unavailable; }

}  // namespace genq::runner
