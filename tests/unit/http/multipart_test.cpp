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

// A body of many tiny parts is refused at the first part past the cap, so it costs no
// more than the parts before it (docs/security.md, "Multipart caps").
TEST(Multipart, PartsPastTheCapAreRefused) {
  auto body_of = [](std::size_t parts) {
    std::string body;
    for (std::size_t i = 0; i < parts; ++i) body += "--XX\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) + "\"\r\n\r\n\r\n";
    return body + "--XX--\r\n";
  };
  auto at_cap = parse_multipart(body_of(kMaxFormParts), "XX");
  ASSERT_TRUE(at_cap) << at_cap.error().message;
  EXPECT_EQ(at_cap->size(), kMaxFormParts);
  auto past = parse_multipart(body_of(200'000), "XX");
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().message, "more than 256 parts");
}

TEST(Multipart, PlainFieldsPastTheirByteCapAreRefusedButFilesAreNot) {
  const std::string big(kMaxFormFieldBytes / 2 + 1, 'a');
  const std::string fields = "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + big +
                             "\r\n--XX\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n" + big + "\r\n--XX--\r\n";
  auto refused = parse_multipart(fields, "XX");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("exceed 1024 KiB"), std::string::npos) << refused.error().message;
  const std::string file(3 * kMaxFormFieldBytes, 'x');
  const std::string files = "--XX\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\n" +
                            file + "\r\n--XX--\r\n";
  auto kept = parse_multipart(files, "XX");
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept->at(0).data.size(), file.size());
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
