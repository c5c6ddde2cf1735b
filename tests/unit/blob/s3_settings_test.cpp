// --blobs s3://… with the --s3-* flags and the AWS_* variables: flags win.
#include "genq/blob/s3_settings.hpp"

#include <gtest/gtest.h>

#include <map>

namespace genq {
namespace {

struct Env {
  std::map<std::string, std::string> vars;
  std::function<std::optional<std::string>(const char*)> lookup() const {
    return [this](const char* name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
  }
};

Env aws_env() {
  return {{{"AWS_ACCESS_KEY_ID", "env-id"},
           {"AWS_SECRET_ACCESS_KEY", "env-secret"},
           {"AWS_REGION", "eu-west-3"},
           {"AWS_ENDPOINT_URL", "http://generic:1"}}};
}

TEST(S3Settings, BucketAndPrefixComeFromTheUrl) {
  Env env = aws_env();
  auto s = resolve_s3_settings("s3://media/genq/prod/", {}, env.lookup());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->bucket, "media");
  EXPECT_EQ(s->prefix, "genq/prod");
  auto bare = resolve_s3_settings("s3://media", {}, env.lookup());
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->prefix, "");
  EXPECT_FALSE(resolve_s3_settings("s3:///x", {}, env.lookup()));
}

TEST(S3Settings, EnvironmentFillsWhatNoFlagGives) {
  Env env = aws_env();
  env.vars["AWS_ENDPOINT_URL_S3"] = "https://s3-specific:9000/";
  auto s = resolve_s3_settings("s3://b", {}, env.lookup());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->endpoint, "https://s3-specific:9000") << "AWS_ENDPOINT_URL_S3 before AWS_ENDPOINT_URL";
  EXPECT_EQ(s->region, "eu-west-3");
  EXPECT_EQ(s->access_key_id, "env-id");
  EXPECT_EQ(s->secret_access_key, "env-secret");
  EXPECT_TRUE(s->path_style) << "an endpoint turns path-style on";
}

TEST(S3Settings, FlagsWinOverTheEnvironment) {
  Env env = aws_env();
  env.vars["AWS_SESSION_TOKEN"] = "belongs-to-env-id";
  S3Flags flags;
  flags.endpoint = "http://flag:2";
  flags.region = "ap-south-1";
  flags.access_key_id = "flag-id";
  flags.secret_access_key = "flag-secret";
  flags.path_style = "off";
  auto s = resolve_s3_settings("s3://b", flags, env.lookup());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->endpoint, "http://flag:2");
  EXPECT_EQ(s->region, "ap-south-1");
  EXPECT_EQ(s->access_key_id, "flag-id");
  EXPECT_EQ(s->secret_access_key, "flag-secret");
  EXPECT_EQ(s->session_token, "") << "the variables' token does not go with a flag's key";
  EXPECT_FALSE(s->path_style);
  EXPECT_EQ(s->object_url("k/1.png"), "http://b.flag:2/k/1.png");
}

TEST(S3Settings, WithoutEndpointItIsAwsVirtualHosted) {
  Env env{{{"AWS_ACCESS_KEY_ID", "i"}, {"AWS_SECRET_ACCESS_KEY", "s"}}};
  auto s = resolve_s3_settings("s3://b/p", {}, env.lookup());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->region, "us-east-1");
  EXPECT_EQ(s->endpoint, "https://s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(s->path_style);
  EXPECT_EQ(s->object_url("results/j/output.png"), "https://b.s3.us-east-1.amazonaws.com/p/results/j/output.png");
}

TEST(S3Settings, MissingCredentialsOrBadEndpointSayWhat) {
  Env empty;
  auto s = resolve_s3_settings("s3://b", {}, empty.lookup());
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("--s3-secret-access-key"), std::string::npos) << s.error().message;
  Env env = aws_env();
  S3Flags flags;
  flags.endpoint = "ftp://x";
  EXPECT_FALSE(resolve_s3_settings("s3://b", flags, env.lookup()));
}

TEST(S3Settings, KeysArePercentEncodedInThePath) {
  S3Settings s;
  s.bucket = "b";
  s.endpoint = "http://h:1";
  s.path_style = true;
  s.prefix = "a b";
  EXPECT_EQ(s.object_path("x/y+z.png"), "/b/a%20b/x/y%2Bz.png");
}

}  // namespace
}  // namespace genq
