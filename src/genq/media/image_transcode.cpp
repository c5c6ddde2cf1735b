#include "genq/media/image_transcode.hpp"

#include "genq/media/jpeg_codec.hpp"
#include "genq/media/png_codec.hpp"
#include "genq/media/webp_codec.hpp"

namespace genq::media {

std::string_view extension_of(ImageFormat format) {
  switch (format) {
    case ImageFormat::Png:
      return "png";
    case ImageFormat::Jpeg:
      return "jpg";
    case ImageFormat::Webp:
      return "webp";
  }
  return "png";
}

std::optional<ImageFormat> format_of_extension(std::string_view extension) {
  if (extension == "png") return ImageFormat::Png;
  if (extension == "jpg" || extension == "jpeg") return ImageFormat::Jpeg;
  if (extension == "webp") return ImageFormat::Webp;
  return std::nullopt;
}

std::optional<ImageFormat> format_of_content_type(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
  if (content_type == "image/png") return ImageFormat::Png;
  if (content_type == "image/jpeg" || content_type == "image/jpg") return ImageFormat::Jpeg;
  if (content_type == "image/webp") return ImageFormat::Webp;
  return std::nullopt;
}

std::optional<ImageFormat> sniff_image(std::string_view bytes) {
  if (bytes.starts_with(std::string_view("\x89PNG\r\n\x1a\n", 8))) return ImageFormat::Png;
  if (bytes.starts_with("\xFF\xD8\xFF")) return ImageFormat::Jpeg;
  if (bytes.size() >= 12 && bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WEBP") return ImageFormat::Webp;
  return std::nullopt;
}

Result<std::string> transcode_image(std::string_view source, ImageFormat target, const TranscodeLimits& limits) {
  auto format = sniff_image(source);
  if (!format) return fail(Error::invalid("The result is not a PNG, JPEG or WebP image."));
  Result<RgbaImage> image = fail(Error::internal("unreachable"));
  switch (*format) {
    case ImageFormat::Png:
      image = decode_png(source, limits);
      break;
    case ImageFormat::Jpeg:
      image = decode_jpeg(source, limits);
      break;
    case ImageFormat::Webp:
      image = decode_webp(source, limits);
      break;
  }
  if (!image) return fail(image.error());
  switch (target) {
    case ImageFormat::Png:
      return encode_png(*image);
    case ImageFormat::Jpeg:
      return encode_jpeg(*image, limits.jpeg_quality);
    case ImageFormat::Webp:
      return encode_webp(*image, limits.webp_quality);
  }
  return fail(Error::internal("unknown image format"));
}

}  // namespace genq::media
