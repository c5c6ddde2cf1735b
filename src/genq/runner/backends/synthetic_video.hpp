#pragma once
// The synthetic backend's video tasks (txt2video, img2video, vid-upscale, vid-rmbg):
// the seeded pattern with moving shapes (over the input image for img2video), piped
// as raw RGB frames into an ffmpeg child that writes H.264 yuv420p MP4. Size from
// params.width/height (default 512x512, rounded down to even for H.264); frames from
// params.frames, else duration * fps, else 16, at params.fps (default 8). One step per
// frame unless params.steps says otherwise; each step previews its last frame.
// Thread-safe.
#include "genq/core/error.hpp"
#include "genq/runner/backends/backend.hpp"
#include "genq/runner/backends/synthetic_steps.hpp"

namespace genq::runner {

struct VideoShape {
  int width = 512;
  int height = 512;
  int frames = 16;
  int fps = 8;
};

// The size, frame count and rate the job asks for, after rounding and limits.
VideoShape synthetic_video_shape(const JobSpec& job);

// `noise`: every frame is seeded noise (BackendOptions::noise).
Result<Output> run_synthetic_video(const JobSpec& job, const StepPacing& pacing,
                                   const std::string& ffmpeg_path, bool noise = false);

}  // namespace genq::runner
