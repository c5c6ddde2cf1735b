#include "genq/http/target.hpp"

#include <gtest/gtest.h>

namespace genq::http {
namespace {

TEST(Target, RawBracketsInTheQueryAreAccepted) {
  std::string path, query;
  ASSERT_TRUE(split_target("/api/v1/client/models?filter[inference_types]=txt2img,img2img", path, query));
  EXPECT_EQ(path, "/api/v1/client/models");
  EXPECT_EQ(find_query_param(query, "filter[inference_types]"), "txt2img,img2img");
}

TEST(Target, EncodedAndPlainFormsDecodeAlike) {
  EXPECT_EQ(find_query_param("filter%5Binference_types%5D=txt2img", "filter[inference_types]"), "txt2img");
  EXPECT_EQ(find_query_param("a=1&b=two+words&c=%41", "b"), "two words");
  EXPECT_EQ(find_query_param("a=1&b=2", "c"), std::nullopt);
  EXPECT_EQ(find_query_param("flag&a=1", "flag"), "");
}

TEST(Target, PathIsPercentDecoded) {
  std::string path, query;
  ASSERT_TRUE(split_target("/files/results/a%2Db/x.png?expires=1", path, query));
  EXPECT_EQ(path, "/files/results/a-b/x.png");
  EXPECT_EQ(query, "expires=1");
}

// A base URL ending in "/" (deAPI's SDK joins base + "/api/v1/...") routes as without it.
TEST(Target, DoubledAndTrailingSlashesAreDropped) {
  std::string path, query;
  ASSERT_TRUE(split_target("//api/v1/client/txt2img", path, query));
  EXPECT_EQ(path, "/api/v1/client/txt2img");
  ASSERT_TRUE(split_target("/api/v1/client/models/?page=2", path, query));
  EXPECT_EQ(path, "/api/v1/client/models");
  EXPECT_EQ(query, "page=2");
  ASSERT_TRUE(split_target("/api//v1///client/request-status/abc//", path, query));
  EXPECT_EQ(path, "/api/v1/client/request-status/abc");
  ASSERT_TRUE(split_target("/", path, query));
  EXPECT_EQ(path, "/");
  ASSERT_TRUE(split_target("//", path, query));
  EXPECT_EQ(path, "/");
  EXPECT_EQ(without_extra_slashes("/a/b%2F/"), "/a/b%2F") << "an encoded slash is data, not a separator";
}

TEST(Target, MalformedTargetsAreRefused) {
  std::string path, query;
  EXPECT_FALSE(split_target("http://example.com/x", path, query));
  EXPECT_FALSE(split_target("", path, query));
  EXPECT_FALSE(split_target("/a%zz", path, query));
  EXPECT_FALSE(split_target("/a%00b", path, query));
  EXPECT_FALSE(split_target("/a%4", path, query));
}

}  // namespace
}  // namespace genq::http
