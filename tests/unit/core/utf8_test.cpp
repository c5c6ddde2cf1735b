// The one UTF-8 check: what it accepts and refuses, and that form fields use it (they
// once had a check of their own that let surrogates and overlong forms through).
#include "genq/core/utf8.hpp"

#include <gtest/gtest.h>

#include "genq/api/request_body.hpp"

namespace genq {
namespace {

TEST(Utf8, AcceptsEveryLengthUpToTheLastCodePoint) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("a red fox"));
  EXPECT_TRUE(is_valid_utf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\xa6\x8a"));  // été € 🦊
  EXPECT_TRUE(is_valid_utf8("\xef\xbf\xbd"));                                    // U+FFFD
  EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));                                // U+10FFFF
}

TEST(Utf8, RefusesOverlongSurrogatesOutOfRangeAndBrokenSequences) {
  for (const char* bad : {"\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",  // overlong
                          "\xed\xa0\x80", "\xed\xbf\xbf",                           // surrogates
                          "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",                   // past U+10FFFF
                          "\x80", "\xbf", "\xe2\x82", "\xf0\x9f\xa6", "a\xc3"}) {   // stray, truncated
    EXPECT_FALSE(is_valid_utf8(bad)) << ::testing::PrintToString(std::string(bad));
  }
}

TEST(Utf8, APrefixIsWholeCharactersLessOneCutShortOrInvalidAtTheFirstBadByte) {
  EXPECT_EQ(complete_utf8_prefix("caf\xc3\xa9"), 5u);
  EXPECT_EQ(complete_utf8_prefix("caf\xc3"), 3u);             // é cut short
  EXPECT_EQ(complete_utf8_prefix("\xf0\x9f\xa6"), 0u);        // 🦊 cut short
  EXPECT_EQ(complete_utf8_prefix(""), 0u);
  for (const char* bad : {"\xf4\x90", "\xed\xa0", "\xe0\x80", "\xf0\x80", "\xc0", "\xf5", "\x80", "\xc3" "a"}) {
    EXPECT_EQ(complete_utf8_prefix(bad), std::nullopt) << ::testing::PrintToString(std::string(bad));
  }
}

TEST(Utf8, AFormFieldWithASurrogateOrAnOverlongFormIsRefused) {
  for (const char* encoded : {"%ED%A0%80", "%E0%80%AF"}) {
    http::Request request;
    request.headers.set("Content-Type", "application/x-www-form-urlencoded");
    request.body = std::string("prompt=") + encoded;
    auto body = api::parse_submit_body(request);
    ASSERT_FALSE(body) << encoded;
    EXPECT_EQ(body.error().message, "The prompt field is not valid UTF-8.") << encoded;
  }
}

}  // namespace
}  // namespace genq
