// A submit's multipart body read from where the server spooled it (a file, mapped) or
// from memory: the parts' bytes stay valid after the request and the file are gone.
#include "genq/api/request_body.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "genq/core/mapped_file.hpp"
#include "support/temp_dir.hpp"

namespace genq::api {
namespace {

const std::string kPng("\x89PNG\r\n\x1a\n-pixels-", 17);
const std::string kBody =
    "--XX\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\na cat\r\n"
    "--XX\r\nContent-Disposition: form-data; name=\"image\"; filename=\"cat.png\"\r\nContent-Type: image/png\r\n\r\n" +
    kPng + "\r\n--XX--\r\n";

http::Request multipart_request() {
  http::Request request;
  request.headers.set("Content-Type", "multipart/form-data; boundary=XX");
  return request;
}

TEST(SubmitBodyFromSpool, PartsAreReadFromTheSpooledFileAndOutliveIt) {
  const testing::TempDir dir;
  const std::string spool = dir.file("body");
  testing::write_file(spool, kBody);
  std::optional<http::Request> request = multipart_request();
  request->body_file = spool;

  auto parsed = parse_submit_body(*request);
  ASSERT_TRUE(parsed) << parsed.error().message;
  auto body = std::make_optional(std::move(*parsed));
  request.reset();
  std::filesystem::remove(spool);  // as the server does once it has answered

  EXPECT_EQ(body->fields.at("prompt").as_string(), "a cat");
  const http::FormPart* image = body->file("image");
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(image->filename, "cat.png");
  EXPECT_EQ(image->data, kPng);
  const http::FormPart copy = *image;  // copies share the mapping
  body.reset();
  EXPECT_EQ(copy.data, kPng);
}

TEST(SubmitBodyFromSpool, AnInMemoryBodysPartsOutliveTheRequest) {
  std::optional<http::Request> request = multipart_request();
  request->body = kBody;
  auto body = parse_submit_body(*request);
  ASSERT_TRUE(body) << body.error().message;
  request.reset();
  ASSERT_NE(body->file("image"), nullptr);
  EXPECT_EQ(body->file("image")->data, kPng);
}

TEST(SubmitBodyFromSpool, AMissingSpoolIsAnInternalError) {
  http::Request request = multipart_request();
  request.body_file = "/nonexistent/genq-spool";
  auto body = parse_submit_body(request);
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().kind, ErrorKind::Internal);
}

TEST(MappedFileTest, AnEmptyFileMapsToAnEmptyView) {
  const testing::TempDir dir;
  testing::write_file(dir.file("empty"), "");
  auto mapped = MappedFile::open(dir.file("empty"));
  ASSERT_TRUE(mapped) << mapped.error().message;
  EXPECT_TRUE((*mapped)->bytes().empty());
}

TEST(FormPartTest, OwnedBytesTravelWithCopies) {
  http::FormPart part;
  part.own(std::string(3 * 1024 * 1024, 'b'));
  http::FormPart copy = part;
  part = http::FormPart{};
  EXPECT_EQ(copy.data.size(), 3u * 1024 * 1024);
  EXPECT_EQ(copy.data.back(), 'b');
}

}  // namespace
}  // namespace genq::api
