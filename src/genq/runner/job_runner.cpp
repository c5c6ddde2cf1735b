#include "genq/runner/job_runner.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "genq/logging/log_context.hpp"
#include "genq/runner/lease_keeper.hpp"
#include "genq/runner/retry.hpp"

namespace genq::runner {
namespace {

using namespace std::chrono_literals;

// How long a worker that is shutting down keeps trying to hand a job back before it
// leaves the job to lease expiry.
constexpr auto kHandBackBudget = 10s;

// The lease calls of one job over the worker API.
class ApiLeaseChannel final : public LeaseChannel {
 public:
  ApiLeaseChannel(const ServerEndpoint& server, Lease lease)
      : api_(server.url, server.token), lease_(std::move(lease)) {}
  Status progress(double percent, std::string_view preview_jpeg, const std::atomic<bool>* abort) override {
    return api_.progress(lease_, percent, preview_jpeg, abort);
  }
  Status heartbeat(const std::atomic<bool>* abort) override { return api_.heartbeat(lease_, abort); }

 private:
  WorkerApi api_;
  Lease lease_;
};

// A directory of the job's own, removed with everything in it at scope exit.
class WorkDir {
 public:
  static Result<WorkDir> create(const std::filesystem::path& root, const std::string& job_id) {
    std::string name = (root / ("genq-job-" + job_id.substr(0, 36) + "-XXXXXX")).string();
    if (::mkdtemp(name.data()) == nullptr) {
      return fail(Error::unavailable("cannot create a work directory under " + root.string() + ": " +
                                     std::strerror(errno)));
    }
    return WorkDir(name);
  }
  WorkDir(WorkDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  WorkDir& operator=(WorkDir&&) = delete;
  ~WorkDir() {
    if (!path_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(path_, ignored);
    }
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit WorkDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Field names come from the server; keep only what is safe in a file name.
std::string file_name_for(const std::string& field) {
  std::string name = "input-";
  for (char c : field) {
    const bool safe = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    name.push_back(safe ? c : '_');
  }
  return name;
}

bool ends_lease(const Error& error) {
  return error.kind == ErrorKind::Conflict || error.kind == ErrorKind::NotFound ||
         error.kind == ErrorKind::Forbidden;
}

}  // namespace

JobRunner::JobRunner(ServerEndpoint server, Backend& backend, std::filesystem::path temp_root, ClaimedJob job)
    : server_(std::move(server)), backend_(backend), temp_root_(std::move(temp_root)), job_(std::move(job)) {}

void JobRunner::run() {
  // This thread's lines about the job carry the submit's request id, as the server's do.
  const log_context::RequestScope scope(job_.lease.request_id);
  started_ = std::chrono::steady_clock::now();
  spdlog::info("job {} claimed: {} with {} (attempt {}/{})", job_id(), job_.task, job_.model, job_.attempt,
               job_.max_attempts);
  WorkerApi api(server_.url, server_.token);
  try {
    run_job(api);
  } catch (const std::exception& e) {
    // A bug or exhausted memory in this job must not take the other slots down with it.
    spdlog::error("job {}: unexpected error: {}", job_id(), e.what());
    report_failure(api, std::string("worker error: ") + e.what(), true);
  }
}

void JobRunner::run_job(WorkerApi& api) {
  if (!job_.output) {
    report_failure(api, "this worker does not know the output kind \"" + job_.output_name + "\"", false);
    return;
  }
  auto dir = WorkDir::create(temp_root_, job_id());
  if (!dir) {
    report_failure(api, dir.error().message, true);
    return;
  }
  LeaseKeeper keeper(std::make_unique<ApiLeaseChannel>(server_, job_.lease), job_id(), job_.heartbeat_interval,
                     cancel_);
  keeper.start();
  keeper.report(0, {});  // moves the job to in_progress as soon as work starts

  JobSpec spec{job_id(), job_.task, job_.model, *job_.output, job_.params, {}, dir->path()};
  if (!fetch_inputs(api, dir->path(), spec)) {
    return;
  }
  auto output = backend_.run(spec, keeper, cancel_.flag());
  if (cancel_.cancelled()) {
    keeper.stop();
    on_cancelled(api);
    return;
  }
  if (!output) {
    keeper.stop();
    const bool bad_input = output.error().kind == ErrorKind::Invalid;
    report_failure(api, output.error().message, is_retryable(output.error()),
                   bad_input ? "INVALID_INPUT" : "PROCESSING_ERROR", keeper.failure_detail());
    return;
  }
  // The lease stays alive through the upload, which may take long for a video.
  const bool uploaded = upload(api, *output);
  keeper.stop();
  if (cancel_.cancelled()) {
    on_cancelled(api);
    return;
  }
  if (uploaded) {
    complete(api, *output);
  }
}

bool JobRunner::fetch_inputs(WorkerApi& api, const std::filesystem::path& dir, JobSpec& spec) {
  for (const auto& [field, url] : job_.inputs) {
    const auto file = dir / file_name_for(field);
    auto fetched = call_with_retry("job " + job_id() + ": download " + field, cancel_,
                                   [&] { return api.download(url, file, &cancel_.flag()); });
    if (cancel_.cancelled()) {
      on_cancelled(api);
      return false;
    }
    if (!fetched) {
      report_failure(api, "cannot download input \"" + field + "\": " + fetched.error().message, false);
      return false;
    }
    spec.inputs.emplace(field, file);
  }
  return true;
}

bool JobRunner::upload(WorkerApi& api, const Output& output) {
  if (output.file.empty()) {
    return true;  // text and json results travel inline
  }
  auto sent = call_with_retry("job " + job_id() + ": upload", cancel_, [&] {
    return api.upload_result(job_.lease, output.file, output.content_type, &cancel_.flag());
  });
  if (sent || cancel_.cancelled()) {
    return static_cast<bool>(sent);
  }
  if (ends_lease(sent.error())) {
    spdlog::warn("job {}: lease lost during upload ({}); output dropped", job_id(), sent.error().message);
    return false;
  }
  report_failure(api, "result upload rejected: " + sent.error().message, false);
  return false;
}

void JobRunner::complete(WorkerApi& api, const Output& output) {
  auto done = call_with_retry("job " + job_id() + ": complete", cancel_,
                              [&] { return api.complete(job_.lease, output.result); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (done) {
    spdlog::info("job {} done in {:.1f} s", job_id(), seconds);
  } else if (cancel_.cancelled()) {
    spdlog::warn("job {}: gave up completing ({}); the lease will expire", job_id(), done.error().message);
  } else if (ends_lease(done.error())) {
    spdlog::warn("job {}: lease lost before completion ({}); output dropped", job_id(), done.error().message);
  } else {
    report_failure(api, "completion rejected: " + done.error().message, false);
  }
}

void JobRunner::on_cancelled(WorkerApi& api) {
  if (cancel_.reason() == CancelReason::LeaseLost) {
    spdlog::warn("job {}: stopped, output dropped (lease lost)", job_id());
    return;
  }
  // Shutting down: hand the job back so another worker (or this one, restarted) runs it.
  const CancelToken never;
  auto answer = call_with_retry(
      "job " + job_id() + ": hand back", never,
      [&] { return api.release(job_.lease); },
      RetryLimits{std::chrono::steady_clock::now() + kHandBackBudget, Backoff()});
  if (answer) {
    spdlog::info("job {} handed back (worker shutting down); now {}", job_id(), *answer);
  } else {
    spdlog::warn("job {}: could not hand back ({}); the lease will expire", job_id(), answer.error().message);
  }
}

void JobRunner::report_failure(WorkerApi& api, const std::string& message, bool retryable,
                               std::string_view error_code, std::string_view detail) {
  auto answer = call_with_retry("job " + job_id() + ": fail", cancel_,
                                [&] { return api.fail_job(job_.lease, message, retryable, error_code, detail); });
  if (answer) {
    spdlog::warn("job {} failed ({}, {}): {}", job_id(), *answer, error_code, message);
  } else if (ends_lease(answer.error())) {
    spdlog::warn("job {} failed ({}), and its lease was already lost", job_id(), message);
  } else {
    spdlog::error("job {} failed ({}) and the server did not take it: {}", job_id(), message,
                  answer.error().message);
  }
}

}  // namespace genq::runner
