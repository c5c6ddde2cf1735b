#pragma once
// The synthetic backend's image tasks: txt2img paints the seeded pattern; img2img
// blends it over the input image; img-upscale resizes the input (by params.scale,
// default 2, unless width and height are given); img-rmbg keeps the input's size and
// writes RGBA with an elliptical alpha mask. Every step sends a JPEG preview that
// gets less noisy. Output: PNG of exactly the size asked for. Pure apart from the
// files it writes; thread-safe.
#include <string>

#include "genq/core/error.hpp"
#include "genq/runner/backends/backend.hpp"
#include "genq/runner/backends/raster.hpp"
#include "genq/runner/backends/synthetic_steps.hpp"

namespace genq::runner {

inline constexpr int kPreviewMaxSide = 256;
inline constexpr int kPreviewQuality = 70;

// `noise`: the final picture is seeded noise of the same size (BackendOptions::noise).
Result<Output> run_synthetic_image(const JobSpec& job, const StepPacing& pacing, bool noise = false);

// A preview of `image`: at most kPreviewMaxSide on the long side, JPEG at
// kPreviewQuality; an RGBA image is shown over a checkerboard.
Result<std::string> encode_preview(const Image& image);

}  // namespace genq::runner
