#include "genq/runner/backends/synthetic_video.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>

#include "genq/runner/backends/job_params.hpp"
#include "genq/runner/backends/raster.hpp"
#include "genq/runner/backends/synthetic_image.hpp"
#include "genq/runner/backends/synthetic_pattern.hpp"
#include "genq/runner/backends/synthetic_random.hpp"
#include "genq/runner/child_process.hpp"

namespace genq::runner {
namespace {

constexpr int kDefaultVideoSide = 512;
// libx264 refuses tiny frames; 4096 keeps a synthetic clip's memory and time sane.
constexpr int kMinVideoSide = 16;
constexpr int kMaxVideoSide = 4096;
constexpr int kDefaultFrames = 16;
constexpr int kMaxFrames = 10'000;
constexpr int kDefaultFps = 8;

int even_side(std::optional<std::int64_t> requested) {
  const auto side = std::clamp<std::int64_t>(requested.value_or(kDefaultVideoSide), kMinVideoSide, kMaxVideoSide);
  return static_cast<int>(side & ~std::int64_t{1});
}

std::vector<std::string> ffmpeg_argv(const std::string& ffmpeg, const VideoShape& shape,
                                     const std::filesystem::path& out) {
  return {ffmpeg, "-hide_banner", "-nostats", "-loglevel", "error", "-y",
          "-f", "rawvideo", "-pix_fmt", "rgb24",
          "-s", std::to_string(shape.width) + "x" + std::to_string(shape.height),
          "-r", std::to_string(shape.fps), "-i", "pipe:0", "-an",
          "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
          // Same seed, same bytes: no encoder version strings or timestamps.
          "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
          "-movflags", "+faststart", out.string()};
}

// The tail of ffmpeg's stderr, for the job's error message.
std::string log_tail(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  while (!all.empty() && (all.back() == '\n' || all.back() == '\r')) {
    all.pop_back();
  }
  return all.size() > 500 ? all.substr(all.size() - 500) : all;
}

const std::filesystem::path* input_image(const JobSpec& job) {
  auto it = job.inputs.find("image");
  return it == job.inputs.end() ? nullptr : &it->second;
}

}  // namespace

VideoShape synthetic_video_shape(const JobSpec& job) {
  VideoShape shape;
  shape.width = even_side(param_int(job.params, "width"));
  shape.height = even_side(param_int(job.params, "height"));
  shape.fps = static_cast<int>(std::clamp<std::int64_t>(param_int(job.params, "fps").value_or(kDefaultFps), 1, 60));
  std::optional<std::int64_t> frames = param_int(job.params, "frames");
  if (!frames) {
    if (auto duration = param_number(job.params, "duration"); duration && *duration > 0) {
      frames = std::llround(*duration * shape.fps);
    }
  }
  shape.frames = static_cast<int>(std::clamp<std::int64_t>(frames.value_or(kDefaultFrames), 1, kMaxFrames));
  return shape;
}

Result<Output> run_synthetic_video(const JobSpec& job, const StepPacing& pacing,
                                   const std::string& ffmpeg_path, bool noise) {
  const VideoShape shape = synthetic_video_shape(job);
  const Stepper stepper(param_steps(job.params, shape.frames), pacing);
  const Pattern pattern(param_seed(job.params), primary_text(job.params));
  std::optional<Image> background;
  if (const auto* file = input_image(job)) {
    auto image = read_image(*file, std::int64_t{64} << 20);
    if (!image) {
      return fail(image.error());
    }
    background = resize(*image, shape.width, shape.height);
  }

  Output output{job.work_dir / "result.mp4", "video/mp4", std::nullopt};
  const auto log = job.work_dir / "ffmpeg.log";
  auto ffmpeg = ChildProcess::spawn(ffmpeg_argv(ffmpeg_path, shape, output.file), log);
  if (!ffmpeg) {
    return fail(ffmpeg.error());
  }
  auto frame_at = [&](int index) {
    const double time = shape.frames > 1 ? static_cast<double>(index) / (shape.frames - 1) : 0.0;
    Image frame = pattern.render(shape.width, shape.height, time);
    if (background) {
      Image mixed = *background;
      blend(mixed, frame, 0.5);
      frame = std::move(mixed);
    }
    if (noise) {
      add_grain(frame, 1.0, mix64(param_seed(job.params), static_cast<std::uint64_t>(index)));
    }
    return frame;
  };

  int next_frame = 0;
  for (int step = 0; step < stepper.steps(); step++) {
    if (!stepper.wait_step()) {
      (*ffmpeg)->kill();
      return fail(cancelled_error());
    }
    const int end = static_cast<int>(static_cast<std::int64_t>(shape.frames) * (step + 1) / stepper.steps());
    std::optional<Image> last;
    for (; next_frame < end; next_frame++) {
      last = frame_at(next_frame);
      const auto& px = last->pixels;
      if (auto written = (*ffmpeg)->write({reinterpret_cast<const char*>(px.data()), px.size()}); !written) {
        const int code = (*ffmpeg)->wait();
        return fail(Error::internal("ffmpeg exited with " + std::to_string(code) + ": " + log_tail(log)));
      }
    }
    std::string preview;
    if (last) {
      auto jpeg = encode_preview(*last);
      if (!jpeg) {
        (*ffmpeg)->kill();
        return fail(jpeg.error());
      }
      preview = std::move(*jpeg);
    }
    stepper.finish_step(step, std::move(preview));
  }
  if (const int code = (*ffmpeg)->wait(); code != 0) {
    return fail(Error::internal("ffmpeg exited with " + std::to_string(code) + ": " + log_tail(log)));
  }
  return output;
}

}  // namespace genq::runner
