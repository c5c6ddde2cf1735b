// SigV4 query signing against AWS's published example and its own rules.
#include "genq/blob/s3_presign.hpp"

#include <gtest/gtest.h>

namespace genq {
namespace {

using namespace std::chrono_literals;

S3Settings aws_example() {
  S3Settings s;
  s.bucket = "examplebucket";
  s.endpoint = "https://s3.amazonaws.com";
  s.region = "us-east-1";
  s.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  s.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  s.path_style = false;
  return s;
}

TimePoint at_2013_05_24() { return from_unix_ms(1369353600000); }  // 2013-05-24T00:00:00Z

TEST(S3Presign, MatchesAwsPublishedExample) {
  // AWS S3 API reference, "Authenticating Requests: Using Query Parameters", example.
  const std::string url = s3_presigned_url(aws_example(), "GET", "test.txt", at_2013_05_24(), 86400s);
  EXPECT_EQ(url,
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(S3Presign, PathStyleAndPrefixGoInThePathWithThePortInTheHost) {
  S3Settings s = aws_example();
  s.endpoint = "http://127.0.0.1:9000";
  s.path_style = true;
  s.prefix = "genq/prod";
  const std::string url = s3_presigned_url(s, "GET", "results/j1/output.png", at_2013_05_24(), 60s);
  EXPECT_EQ(url.rfind("http://127.0.0.1:9000/examplebucket/genq/prod/results/j1/output.png?", 0), 0u) << url;
  EXPECT_NE(url.find("X-Amz-Expires=60&"), std::string::npos) << url;
}

TEST(S3Presign, ExpiryIsCappedAtSigV4sWeek) {
  const std::string url = s3_presigned_url(aws_example(), "GET", "a.png", at_2013_05_24(), 30 * 24h);
  EXPECT_NE(url.find("X-Amz-Expires=604800&"), std::string::npos) << url;
}

TEST(S3Presign, SignatureDependsOnKeyTimeAndSecret) {
  const S3Settings s = aws_example();
  const std::string base = s3_presigned_url(s, "GET", "a.png", at_2013_05_24(), 60s);
  EXPECT_NE(base, s3_presigned_url(s, "GET", "b.png", at_2013_05_24(), 60s));
  EXPECT_NE(base, s3_presigned_url(s, "GET", "a.png", at_2013_05_24() + 1s, 60s));
  S3Settings other = s;
  other.secret_access_key = "another";
  EXPECT_NE(base, s3_presigned_url(other, "GET", "a.png", at_2013_05_24(), 60s));
}

TEST(S3Presign, SessionTokenIsSignedIntoTheQuery) {
  S3Settings s = aws_example();
  s.session_token = "tok/en+=";
  const std::string url = s3_presigned_url(s, "GET", "a.png", at_2013_05_24(), 60s);
  EXPECT_NE(url.find("&X-Amz-Security-Token=tok%2Fen%2B%3D&"), std::string::npos) << url;
}

}  // namespace
}  // namespace genq
