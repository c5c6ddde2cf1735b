#include "genq/runner/backends/synthetic_image.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "genq/runner/backends/job_params.hpp"
#include "genq/runner/backends/synthetic_pattern.hpp"
#include "genq/runner/backends/synthetic_random.hpp"

namespace genq::runner {
namespace {

constexpr int kDefaultSide = 512;
constexpr int kMaxSide = 16384;
// 64 Mpx of RGBA is 256 MiB in memory: past that a synthetic image only hurts.
constexpr std::int64_t kMaxPixels = std::int64_t{64} << 20;

enum class Mode { Generate, Transform, Upscale, RemoveBackground };

Mode mode_for(std::string_view task) {
  if (task == "img2img") {
    return Mode::Transform;
  }
  if (task == "img-upscale") {
    return Mode::Upscale;
  }
  if (task == "img-rmbg") {
    return Mode::RemoveBackground;
  }
  return Mode::Generate;
}

const std::filesystem::path* image_or_first_input(const JobSpec& job) {
  if (auto it = job.inputs.find("image"); it != job.inputs.end()) {
    return &it->second;
  }
  return job.inputs.empty() ? nullptr : &job.inputs.begin()->second;
}

// Everything that decides the picture, resolved once.
struct Plan {
  Mode mode = Mode::Generate;
  int width = kDefaultSide;
  int height = kDefaultSide;
  std::optional<Image> input;  // decoded input image, for the modes that use one
  Pattern pattern;
};

Result<Plan> make_plan(const JobSpec& job) {
  const std::uint64_t seed = param_seed(job.params);
  Plan plan{mode_for(job.task), kDefaultSide, kDefaultSide, std::nullopt,
            Pattern(seed, primary_text(job.params))};
  if (plan.mode != Mode::Generate) {
    if (const auto* file = image_or_first_input(job)) {
      auto image = read_image(*file, kMaxPixels);
      if (!image) {
        return fail(image.error());
      }
      plan.input = std::move(*image);
    }
  }
  double base_width = kDefaultSide, base_height = kDefaultSide;
  if (plan.input) {
    base_width = plan.input->width;
    base_height = plan.input->height;
    if (plan.mode == Mode::Upscale) {
      const double scale = std::clamp(param_number(job.params, "scale").value_or(2.0), 1.0, 16.0);
      base_width *= scale;
      base_height *= scale;
    }
  }
  const auto width = param_int(job.params, "width").value_or(std::llround(base_width));
  const auto height = param_int(job.params, "height").value_or(std::llround(base_height));
  if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide || width * height > kMaxPixels) {
    return fail(Error::invalid("the synthetic backend cannot make a " + std::to_string(width) + "x" +
                               std::to_string(height) + " image"));
  }
  plan.width = static_cast<int>(width);
  plan.height = static_cast<int>(height);
  return plan;
}

// Alpha of the "foreground" the fake background remover keeps: a centred ellipse
// whose edge fades over five percent of its radius.
std::uint8_t mask_alpha(int x, int y, int width, int height) {
  const double u = (x + 0.5) / width - 0.5, v = (y + 0.5) / height - 0.5;
  const double distance = std::hypot(u / 0.38, v / 0.45);  // 1 on the ellipse
  const double alpha = std::clamp((1.0 - distance) / 0.05 + 0.5, 0.0, 1.0);
  return static_cast<std::uint8_t>(std::lround(alpha * 255));
}

// The finished picture at any size: the final output at full size, previews small.
Image compose(const Plan& plan, int width, int height) {
  const bool has_input = plan.input.has_value();
  switch (plan.mode) {
    case Mode::Generate:
      break;
    case Mode::Transform:
      if (has_input) {
        Image out = resize(*plan.input, width, height);
        blend(out, plan.pattern.render(width, height), 0.45);
        return out;
      }
      break;
    case Mode::Upscale:
      if (has_input) {
        return resize(*plan.input, width, height);
      }
      break;
    case Mode::RemoveBackground: {
      Image rgb = has_input ? resize(*plan.input, width, height) : plan.pattern.render(width, height);
      Image out(width, height, 4);
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          std::copy_n(rgb.at(x, y), 3, out.at(x, y));
          out.at(x, y)[3] = mask_alpha(x, y, width, height);
        }
      }
      return out;
    }
  }
  return plan.pattern.render(width, height);
}

// RGBA over an 8-pixel grey checkerboard, the usual picture of transparency.
Image flatten(const Image& image) {
  if (image.channels != 4) {
    return image;
  }
  Image out(image.width, image.height, 3);
  for (int y = 0; y < image.height; y++) {
    for (int x = 0; x < image.width; x++) {
      const std::uint8_t* p = image.at(x, y);
      const double back = ((x / 8 + y / 8) % 2 == 0) ? 200 : 255;
      const double alpha = p[3] / 255.0;
      for (int c = 0; c < 3; c++) {
        out.at(x, y)[c] = static_cast<std::uint8_t>(std::lround(p[c] * alpha + back * (1 - alpha)));
      }
    }
  }
  return out;
}

}  // namespace

Result<std::string> encode_preview(const Image& image) {
  return encode_jpeg(flatten(fit_within(image, kPreviewMaxSide)), kPreviewQuality);
}

Result<Output> run_synthetic_image(const JobSpec& job, const StepPacing& pacing, bool noise) {
  auto plan = make_plan(job);
  if (!plan) {
    return fail(plan.error());
  }
  const Stepper stepper(param_steps(job.params, 8), pacing);
  const double scale = std::min(1.0, static_cast<double>(kPreviewMaxSide) / std::max(plan->width, plan->height));
  const int preview_width = std::max(1, static_cast<int>(std::lround(plan->width * scale)));
  const int preview_height = std::max(1, static_cast<int>(std::lround(plan->height * scale)));
  const Image preview_target = compose(*plan, preview_width, preview_height);
  const std::uint64_t grain_seed = mix64(param_seed(job.params), 0x6772'6169'6eull);

  for (int step = 0; step < stepper.steps(); step++) {
    if (!stepper.wait_step()) {
      return fail(cancelled_error());
    }
    Image preview = preview_target;
    const double remaining = 1.0 - static_cast<double>(step + 1) / stepper.steps();
    add_grain(preview, 0.85 * remaining, mix64(grain_seed, static_cast<std::uint64_t>(step)));
    auto jpeg = encode_preview(preview);
    if (!jpeg) {
      return fail(jpeg.error());
    }
    stepper.finish_step(step, std::move(*jpeg));
  }
  if (stepper.cancelled()) {
    return fail(cancelled_error());
  }
  Image final_image = compose(*plan, plan->width, plan->height);
  if (noise) {
    add_grain(final_image, 1.0, mix64(grain_seed, 0x6e6f697365ull));
  }
  Output output{job.work_dir / "result.png", "image/png", std::nullopt};
  if (auto written = write_png(final_image, output.file); !written) {
    return fail(written.error());
  }
  return output;
}

}  // namespace genq::runner
