#pragma once
// The picture the synthetic backend paints: a two-colour gradient with a few circles,
// rings and rectangles, all chosen from the seed and the prompt, so one request gives
// one picture at any resolution. `time` slides the shapes for video frames. Immutable
// after construction; thread-safe.
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "genq/runner/backends/raster.hpp"

namespace genq::runner {

class Pattern {
 public:
  Pattern(std::uint64_t seed, std::string_view prompt);

  // An RGB image of width x height; `time` in [0, 1] moves the shapes.
  Image render(int width, int height, double time = 0.0) const;

 private:
  enum class ShapeKind { Circle, Ring, Rectangle };
  struct Shape {
    ShapeKind kind;
    double x, y;      // centre, as fractions of width and height
    double size;      // half-extent, as a fraction of the short side
    double dx, dy;    // movement over time 0..1, fractions of width and height
    std::array<std::uint8_t, 3> color;
  };
  void paint(Image& image, const Shape& shape, double time) const;

  std::array<std::uint8_t, 3> from_;
  std::array<std::uint8_t, 3> to_;
  double angle_;  // gradient direction, radians
  std::vector<Shape> shapes_;
};

// Blends every pixel toward seeded noise by `amount` in [0, 1]: 1 is pure noise, 0
// leaves the image alone. Looks like a diffusion model's unfinished steps.
void add_grain(Image& image, double amount, std::uint64_t seed);

// dst = dst * (1 - alpha) + src * alpha; same size and channel count.
void blend(Image& dst, const Image& src, double alpha);

}  // namespace genq::runner
