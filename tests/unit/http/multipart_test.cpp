#include "genq/http/multipart.hpp"

#include <gtest/gtest.h>

namespace genq::http {
namespace {

TEST(Multipart, BoundaryIsReadFromContentType) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc123"), "abc123");
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"quoted b\""), "quoted b");
  EXPECT_EQ(multipart_boundary("application/json"), "");
}

TEST(Multipart, FieldsAndFilesAreSeparated) {
  std::string body =
      "--XX\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nFlux1schnell\r\n"
      "--XX\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
      "Content-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\r\n"
      "--XX--\r\n";
  auto parts = parse_multipart(body, "XX");
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "model");
  EXPECT_EQ((*parts)[0].data, "Flux1schnell");
  EXPECT_FALSE((*parts)[0].is_file());
  EXPECT_EQ((*parts)[1].filename, "a.png");
  EXPECT_EQ((*parts)[1].content_type, "image/png");
  EXPECT_EQ((*parts)[1].data, std::string("\x89PNG\r\n\x1a\n"));
}

TEST(Multipart, UnterminatedPartIsInvalid) {
  std::string body = "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue";
  EXPECT_FALSE(parse_multipart(body, "XX"));
}

TEST(Multipart, PartWithoutNameIsInvalid) {
  std::string body = "--XX\r\nContent-Type: text/plain\r\n\r\nv\r\n--XX--";
  EXPECT_FALSE(parse_multipart(body, "XX"));
}

TEST(Multipart, GarbageNeverCrashes) {
  const char* inputs[] = {"", "--", "--XX", "--XX\r\n", "--XX\r\n\r\n\r\n--XX--", "--XX--", "x--XX\r\nA:b\r\n\r\n"};
  for (const char* in : inputs) {
    auto parts = parse_multipart(in, "XX");
    (void)parts;
  }
  SUCCEED();
}

}  // namespace
}  // namespace genq::http
