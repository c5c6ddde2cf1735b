#include "genq/runner/backends/synthetic_pattern.hpp"

#include <algorithm>
#include <cmath>
#include <cctype>
#include <numbers>
#include <optional>
#include <string>

#include "genq/runner/backends/synthetic_random.hpp"

namespace genq::runner {
namespace {

using Rgb = std::array<std::uint8_t, 3>;

Rgb random_color(Rng& rng) {
  return {static_cast<std::uint8_t>(rng.below(256)), static_cast<std::uint8_t>(rng.below(256)),
          static_cast<std::uint8_t>(rng.below(256))};
}

// A prompt that names a colour gets a shape of that colour: a visible link between
// request and picture.
std::optional<Rgb> named_color(std::string_view prompt) {
  struct Named {
    std::string_view word;
    Rgb color;
  };
  static constexpr std::array<Named, 10> kColors = {{
      {"red", {220, 40, 40}},
      {"orange", {240, 140, 30}},
      {"yellow", {240, 220, 40}},
      {"green", {40, 180, 70}},
      {"blue", {40, 90, 220}},
      {"purple", {140, 60, 200}},
      {"pink", {240, 120, 180}},
      {"white", {245, 245, 245}},
      {"black", {15, 15, 15}},
      {"gray", {128, 128, 128}},
  }};
  std::string lower(prompt);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& named : kColors) {
    if (lower.find(named.word) != std::string::npos) {
      return named.color;
    }
  }
  return std::nullopt;
}

std::uint8_t mix(std::uint8_t a, std::uint8_t b, double t) {
  return static_cast<std::uint8_t>(std::lround(a + (b - a) * std::clamp(t, 0.0, 1.0)));
}

// Wraps a moving centre back into [-0.1, 1.1) so shapes re-enter from the other side.
double wrap(double v) { return v - 1.2 * std::floor((v + 0.1) / 1.2); }

}  // namespace

Pattern::Pattern(std::uint64_t seed, std::string_view prompt) {
  Rng rng(mix64(seed, fnv1a(prompt)));
  from_ = random_color(rng);
  to_ = random_color(rng);
  angle_ = rng.uniform(0.0, 2.0 * std::numbers::pi);
  const int count = 3 + static_cast<int>(rng.below(5));
  for (int i = 0; i < count; i++) {
    Shape shape{};
    shape.kind = static_cast<ShapeKind>(rng.below(3));
    shape.x = rng.uniform(0.1, 0.9);
    shape.y = rng.uniform(0.1, 0.9);
    shape.size = rng.uniform(0.06, 0.22);
    shape.dx = rng.uniform(-0.5, 0.5);
    shape.dy = rng.uniform(-0.5, 0.5);
    shape.color = random_color(rng);
    shapes_.push_back(shape);
  }
  if (auto named = named_color(prompt)) {
    shapes_.back().color = *named;  // on top, so it is seen
  }
}

Image Pattern::render(int width, int height, double time) const {
  Image image(width, height, 3);
  const double cx = std::cos(angle_), cy = std::sin(angle_);
  for (int y = 0; y < height; y++) {
    const double v = (y + 0.5) / height - 0.5;
    for (int x = 0; x < width; x++) {
      const double u = (x + 0.5) / width - 0.5;
      const double t = 0.5 + (u * cx + v * cy) / std::numbers::sqrt2;
      std::uint8_t* p = image.at(x, y);
      for (int c = 0; c < 3; c++) {
        p[c] = mix(from_[c], to_[c], t);
      }
    }
  }
  for (const Shape& shape : shapes_) {
    paint(image, shape, time);
  }
  return image;
}

void Pattern::paint(Image& image, const Shape& shape, double time) const {
  const double unit = std::min(image.width, image.height);
  const double px = wrap(shape.x + shape.dx * time) * image.width;
  const double py = wrap(shape.y + shape.dy * time) * image.height;
  const double r = std::max(1.0, shape.size * unit);
  const int x0 = std::max(0, static_cast<int>(px - r - 1));
  const int x1 = std::min(image.width - 1, static_cast<int>(px + r + 1));
  const int y0 = std::max(0, static_cast<int>(py - r - 1));
  const int y1 = std::min(image.height - 1, static_cast<int>(py + r + 1));
  for (int y = y0; y <= y1; y++) {
    for (int x = x0; x <= x1; x++) {
      const double dx = x + 0.5 - px, dy = y + 0.5 - py;
      double coverage = 0;  // with a one-pixel soft edge, so shapes look alike at any size
      switch (shape.kind) {
        case ShapeKind::Circle:
          coverage = r - std::hypot(dx, dy) + 0.5;
          break;
        case ShapeKind::Ring:
          coverage = std::max(0.0, r * 0.3) - std::fabs(std::hypot(dx, dy) - r * 0.7) + 0.5;
          break;
        case ShapeKind::Rectangle:
          coverage = std::min(r - std::fabs(dx), r * 0.6 - std::fabs(dy)) + 0.5;
          break;
      }
      if (coverage <= 0) {
        continue;
      }
      std::uint8_t* p = image.at(x, y);
      for (int c = 0; c < 3; c++) {
        p[c] = mix(p[c], shape.color[c], coverage);
      }
    }
  }
}

void add_grain(Image& image, double amount, std::uint64_t seed) {
  amount = std::clamp(amount, 0.0, 1.0);
  if (amount == 0) {
    return;
  }
  for (int y = 0; y < image.height; y++) {
    for (int x = 0; x < image.width; x++) {
      const std::uint64_t noise = mix64(seed, (static_cast<std::uint64_t>(y) << 32) | static_cast<std::uint32_t>(x));
      std::uint8_t* p = image.at(x, y);
      for (int c = 0; c < std::min(image.channels, 3); c++) {
        p[c] = mix(p[c], static_cast<std::uint8_t>(noise >> (8 * c)), amount);
      }
    }
  }
}

void blend(Image& dst, const Image& src, double alpha) {
  const std::size_t n = std::min(dst.pixels.size(), src.pixels.size());
  for (std::size_t i = 0; i < n; i++) {
    dst.pixels[i] = mix(dst.pixels[i], src.pixels[i], alpha);
  }
}

}  // namespace genq::runner
