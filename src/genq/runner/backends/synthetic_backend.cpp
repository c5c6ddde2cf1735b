#include "genq/runner/backends/synthetic_backend.hpp"

#include "genq/runner/backends/media_check.hpp"
#include "genq/runner/backends/synthetic_audio.hpp"
#include "genq/runner/backends/synthetic_image.hpp"
#include "genq/runner/backends/synthetic_steps.hpp"
#include "genq/runner/backends/synthetic_text.hpp"
#include "genq/runner/backends/synthetic_video.hpp"

namespace genq::runner {

Result<Output> SyntheticBackend::run(const JobSpec& job, ProgressSink& progress,
                                     const std::atomic<bool>& cancelled) {
  // Like a real model's loader, refuse an input that does not decode before any work.
  if (auto inputs = check_media_inputs(job.inputs, options_.ffmpeg_path, cancelled); !inputs) {
    return fail(inputs.error());
  }
  const StepPacing pacing{std::chrono::milliseconds(std::max(0, options_.step_delay_ms)), &progress,
                          &cancelled};
  switch (job.output) {
    case catalog::OutputKind::Image:
      return run_synthetic_image(job, pacing, options_.noise);
    case catalog::OutputKind::Audio:
      return run_synthetic_audio(job, pacing);
    case catalog::OutputKind::Video:
      return run_synthetic_video(job, pacing, options_.ffmpeg_path, options_.noise);
    case catalog::OutputKind::Text:
    case catalog::OutputKind::Json:
      return run_synthetic_text(job, pacing);
  }
  return fail(Error::invalid("unknown output kind"));
}

}  // namespace genq::runner
