#pragma once
// The "exec" backend: runs one model as command-line tools, configured in the
// catalog (exec_config.cpp): writes the configured files into the job's work
// directory, runs each step's argv (no shell) with placeholders filled from the job,
// reads progress from the tools' output, sends previews from a file they rewrite,
// and takes the output file or stdout as the result. Cancellation, a lost lease and
// the timeout kill the tool's whole process group; a failing tool's stderr tail
// becomes the job's error. One instance per model; immutable, so thread-safe.
#include "genq/runner/backends/backend.hpp"
#include "genq/runner/backends/exec_config.hpp"

namespace genq::runner {

class ExecBackend final : public Backend {
 public:
  explicit ExecBackend(ExecConfig config) : config_(std::move(config)) {}

  Result<Output> run(const JobSpec& job, ProgressSink& progress, const std::atomic<bool>& cancelled) override;

 private:
  const ExecConfig config_;
};

}  // namespace genq::runner
