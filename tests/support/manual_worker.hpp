#pragma once
// Drives the worker protocol (docs/worker-protocol.md) by hand, one call at a time,
// so tests control exactly when a job is claimed, progresses, loses its lease or
// completes. Thread-safe as HttpClient is: one call per curl handle.
#include <boost/json/object.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "support/http_client.hpp"

namespace genq::testing {

// A claim wait long enough for the server to look at the queue once.
inline constexpr std::chrono::milliseconds kShortWait{200};

// One entry of a claim answer's "jobs" array.
struct ClaimedJob {
  std::string job_id;
  std::string lease_id;
  std::string task;
  std::string model;
  std::string output;  // image, video, audio, text, json
  std::int64_t attempt = 0;
  std::int64_t max_attempts = 0;
  std::int64_t lease_ms = 0;
  std::int64_t heartbeat_ms = 0;
  boost::json::object raw;  // the whole entry, for fields not named above
};

class ManualWorker {
 public:
  ManualWorker(const HttpClient& server, const std::string& token,
               std::string worker_id = "manual-worker");

  // POST /api/v1/worker/claim with this exact body.
  HttpResponse claim_raw(const boost::json::object& body) const;
  // Claims up to `max_jobs`, waiting up to `wait` for one; empty `models` = all the
  // token serves. Throws on a non-200 answer. The default wait is short but not zero,
  // so "no job came" means none was pending, not that the server answered before
  // looking (ZeroWaitClaimStillHandsOutAPendingJob covers wait_ms 0 itself).
  std::vector<ClaimedJob> claim(std::chrono::milliseconds wait = kShortWait,
                                const std::vector<std::string>& models = {},
                                int max_jobs = 1) const;
  // Claims until the job `job_id` comes (other jobs claimed on the way are failed
  // back as retryable); nullopt when it does not within `timeout`.
  std::optional<ClaimedJob> claim_job(const std::string& job_id,
                                      std::chrono::milliseconds timeout) const;

  HttpResponse progress(const ClaimedJob& job, double progress,
                        const std::optional<std::string>& preview_jpeg = std::nullopt) const;
  HttpResponse heartbeat(const ClaimedJob& job) const;
  HttpResponse upload(const ClaimedJob& job, const std::string& bytes,
                      const std::string& content_type) const;
  // `result` is omitted from the body when null.
  HttpResponse complete(const ClaimedJob& job, const boost::json::value& result = nullptr) const;
  HttpResponse fail(const ClaimedJob& job, const std::string& error, bool retryable) const;

  // Uploads an output of the job's kind (a PNG of the job's width×height for images)
  // when it needs a file, then completes; returns the complete answer.
  HttpResponse finish(const ClaimedJob& job) const;

  const HttpClient& http() const { return http_; }

 private:
  HttpClient http_;
  std::string worker_id_;
};

// Parses one claim answer entry; throws naming the missing field.
ClaimedJob parse_claimed_job(const boost::json::object& entry);

}  // namespace genq::testing
