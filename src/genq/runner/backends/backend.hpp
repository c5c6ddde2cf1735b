#pragma once
// What runs a model on the worker: the Backend interface, the job it sees, the output
// it hands back and the sink it reports progress to. The runtime (JobRunner) owns the
// network side; a backend only reads its inputs from disk, writes its output into the
// job's work directory and reports progress. Implementations: synthetic (here);
// exec and http backends can sit beside it.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "genq/catalog/catalog.hpp"
#include "genq/core/error.hpp"

namespace genq::runner {

// One job as a backend sees it: no leases, no URLs.
struct JobSpec {
  std::string job_id;  // for log lines and names only
  std::string task;    // "txt2img"
  std::string model;   // "Flux1schnell"
  catalog::OutputKind output = catalog::OutputKind::Image;
  boost::json::object params;                           // validated, defaults filled in
  std::map<std::string, std::filesystem::path> inputs;  // file field -> downloaded file
  std::filesystem::path work_dir;                       // private to the job; the runtime deletes it
};

// What a backend produced: a file (image, audio, video) or an inline result (text as
// a JSON string, json as any JSON value), or both.
struct Output {
  std::filesystem::path file;  // inside work_dir; empty when there is none
  std::string content_type;    // of file: image/png, audio/wav, video/mp4
  std::optional<boost::json::value> result;
};

// Where a backend reports progress. Implementations must return quickly (they queue,
// never wait on the network) and be callable from the backend's thread.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // `percent` in [0, 100]; `preview_jpeg` raw JPEG bytes or empty for none.
  virtual void report(double percent, std::string preview_jpeg) = 0;
  // What an operator should see of a failure the client reads only a clean message
  // of: a tool's stderr, with its paths and addresses. Sent with the failure to the
  // server, which shows it in the admin API only (docs/security.md).
  virtual void note_failure_detail(std::string /*detail*/) {}
};

// Runs jobs. One instance serves every job slot, so run() must be thread-safe.
class Backend {
 public:
  virtual ~Backend() = default;
  // Runs `job` to the end. Checks `cancelled` between steps and returns
  // Error{Conflict, "cancelled"} soon after it turns true. Other errors fail the job
  // with their message; Unavailable ones (a resource is briefly missing) as retryable.
  virtual Result<Output> run(const JobSpec& job, ProgressSink& progress,
                             const std::atomic<bool>& cancelled) = 0;
};

struct BackendOptions {
  int step_delay_ms = 200;            // synthetic: sleep per step
  std::string ffmpeg_path = "ffmpeg";  // synthetic video encoder, found on PATH
  // synthetic: images and video frames of seeded noise, which no codec shrinks, so
  // results have the sizes real models produce (a 1024x1024 PNG is ~3 MiB).
  bool noise = false;
};

// "synthetic" -> SyntheticBackend; Invalid for a name no backend answers to.
Result<std::unique_ptr<Backend>> make_backend(const std::string& name, const BackendOptions& options);

// The error backends return when they stop because `cancelled` turned true.
inline Error cancelled_error() { return Error::conflict("cancelled"); }

}  // namespace genq::runner
