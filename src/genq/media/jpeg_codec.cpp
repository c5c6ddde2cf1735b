#include "genq/media/jpeg_codec.hpp"

#include <turbojpeg.h>

#include <memory>
#include <vector>

namespace genq::media {
namespace {

struct TjCloser {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using TjHandle = std::unique_ptr<void, TjCloser>;

}  // namespace

Result<RgbaImage> decode_jpeg(std::string_view bytes, const TranscodeLimits& limits) {
  TjHandle tj(tjInitDecompress());
  if (!tj) return fail(Error::internal("tjInitDecompress failed"));
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.get(), data, bytes.size(), &width, &height, &subsampling, &colorspace) != 0) {
    return fail(Error::invalid("The JPEG image does not decode: its header is unreadable."));
  }
  if (auto size = check_pixel_count(width, height, limits); !size) return fail(size.error());
  RgbaImage image;
  image.width = width;
  image.height = height;
  image.pixels.resize(static_cast<std::size_t>(width) * height * 4);
  // TJFLAG_STOPONWARNING: a truncated JPEG is only a warning to libjpeg, which fills
  // the rest with gray; a result that is cut short must not convert as if whole.
  if (tjDecompress2(tj.get(), data, bytes.size(), image.pixels.data(), width, 0, height, TJPF_RGBA,
                    TJFLAG_STOPONWARNING) != 0) {
    return fail(Error::invalid(std::string("The JPEG image does not decode: ") + tjGetErrorStr2(tj.get()) + "."));
  }
  return image;
}

Result<std::string> encode_jpeg(const RgbaImage& image, int quality) {
  const std::vector<std::uint8_t> rgb = rgb_over_white(image);
  TjHandle tj(tjInitCompress());
  if (!tj) return fail(Error::internal("tjInitCompress failed"));
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  if (tjCompress2(tj.get(), rgb.data(), image.width, 0, image.height, TJPF_RGB, &jpeg, &size, TJSAMP_420, quality,
                  0) != 0) {
    tjFree(jpeg);
    return fail(Error::internal(std::string("JPEG encoding failed: ") + tjGetErrorStr2(tj.get())));
  }
  std::string out(reinterpret_cast<const char*>(jpeg), size);
  tjFree(jpeg);
  return out;
}

}  // namespace genq::media
