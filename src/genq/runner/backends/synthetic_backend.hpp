#pragma once
// The "synthetic" backend: fake but well-formed outputs for every task, deterministic
// from params.seed (same seed and params, same bytes), paced by a delay per step.
// For development, demos and tests of the whole pipeline without a GPU. Stateless
// apart from its options; thread-safe.
#include "genq/runner/backends/backend.hpp"

namespace genq::runner {

class SyntheticBackend final : public Backend {
 public:
  explicit SyntheticBackend(BackendOptions options) : options_(std::move(options)) {}

  // Decodes every input first (media_check.hpp), then dispatches on job.output: image -> PNG, audio -> WAV, video -> MP4 (ffmpeg),
  // text/json -> inline result.
  Result<Output> run(const JobSpec& job, ProgressSink& progress, const std::atomic<bool>& cancelled) override;

 private:
  BackendOptions options_;
};

}  // namespace genq::runner
