#pragma once
// Runs one claimed job from lease to its last call, on the caller's thread:
// downloads the inputs into a private temporary directory, runs the backend while a
// LeaseKeeper sends its progress and heartbeats, uploads the result file, then calls
// complete (or fail with the backend's message). On a lost lease it stops the backend
// and drops the output; abandon() (worker shutdown) stops it too, and the job is
// handed back with release (the attempt not counted). Never throws.
//
// Owned by the worker, one per running job. run() on the job's thread; abandon()
// from any thread.
#include <filesystem>
#include <string>

#include "genq/runner/backends/backend.hpp"
#include "genq/runner/cancel_token.hpp"
#include "genq/runner/claimed_job.hpp"
#include "genq/runner/worker_api.hpp"

namespace genq::runner {

struct ServerEndpoint {
  std::string url;
  std::string token;
};

class JobRunner {
 public:
  // `backend` is borrowed; it serves every job slot and outlives the runner.
  JobRunner(ServerEndpoint server, Backend& backend, std::filesystem::path temp_root, ClaimedJob job);

  void run();
  void abandon() { cancel_.cancel(CancelReason::Shutdown); }
  const std::string& job_id() const { return job_.lease.job_id; }

 private:
  void run_job(WorkerApi& api);
  // Downloads every input into `dir`; fills `spec.inputs`. False when the job ended.
  bool fetch_inputs(WorkerApi& api, const std::filesystem::path& dir, JobSpec& spec);
  bool upload(WorkerApi& api, const Output& output);
  void complete(WorkerApi& api, const Output& output);
  // The job stopped because cancel_ fired: drop it (lease lost) or hand it back.
  void on_cancelled(WorkerApi& api);
  // `error_code`: deAPI's failure code the server passes on (INVALID_INPUT when the
  // job's own input is at fault, else PROCESSING_ERROR).
  // `detail`: the backend's note for operators (ProgressSink::note_failure_detail).
  void report_failure(WorkerApi& api, const std::string& message, bool retryable,
                      std::string_view error_code = "PROCESSING_ERROR", std::string_view detail = {});

  const ServerEndpoint server_;
  Backend& backend_;
  const std::filesystem::path temp_root_;
  const ClaimedJob job_;
  CancelToken cancel_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace genq::runner
