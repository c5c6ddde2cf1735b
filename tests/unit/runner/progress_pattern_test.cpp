#include <gtest/gtest.h>

#include "genq/runner/backends/progress_pattern.hpp"
#include "genq/runner/line_splitter.hpp"
#include "genq/runner/output_tail.hpp"

namespace genq::runner {
namespace {

ProgressPattern compiled(const std::string& pattern) {
  auto p = ProgressPattern::compile(pattern);
  EXPECT_TRUE(p) << p.error().message;
  return std::move(*p);
}

TEST(ProgressPattern, OneGroupIsAPercentage) {
  const auto p = compiled(R"((\d+(?:\.\d+)?)%)");
  EXPECT_EQ(p.percent("progress: 42.5% done"), 42.5);
  EXPECT_EQ(p.percent("no number here"), std::nullopt);
}

TEST(ProgressPattern, TwoGroupsAreDoneOfTotal) {
  const auto p = compiled(R"(step (\d+)/(\d+))");
  EXPECT_DOUBLE_EQ(*p.percent("sampling step 3/12"), 25.0);
  EXPECT_EQ(p.percent("step 3/0"), std::nullopt) << "a zero total is no progress";
}

TEST(ProgressPattern, OneGroupWithATotalCountsUpToIt) {
  const auto p = compiled(R"(^frame=(\d+)$)");
  EXPECT_DOUBLE_EQ(*p.percent("frame=36", 72.0), 50.0);
  EXPECT_EQ(p.percent("out_time=00:00:01", 72.0), std::nullopt);
}

TEST(ProgressPattern, IsClampedToZeroToHundred) {
  const auto p = compiled(R"((-?\d+)%)");
  EXPECT_EQ(p.percent("150%"), 100.0);
  EXPECT_EQ(p.percent("-5%"), 0.0);
}

TEST(ProgressPattern, ABadRegexOrOneWithoutAGroupIsInvalid) {
  EXPECT_FALSE(ProgressPattern::compile("(unclosed"));
  auto no_group = ProgressPattern::compile(R"(\d+%)");
  ASSERT_FALSE(no_group);
  EXPECT_NE(no_group.error().message.find("capture group"), std::string::npos);
}

TEST(LineSplitter, SplitsOnNewlinesAndCarriageReturnsAcrossReads) {
  LineSplitter splitter;
  std::vector<std::string> lines;
  const auto collect = [&](std::string_view line) { lines.emplace_back(line); };
  splitter.feed("10%\r2", collect);
  splitter.feed("0%\r\n30", collect);
  splitter.feed("%", collect);
  splitter.finish(collect);
  EXPECT_EQ(lines, (std::vector<std::string>{"10%", "20%", "30%"}));
}

TEST(OutputTail, KeepsOnlyTheLastBytesAndMarksTheCut) {
  OutputTail tail(16);
  for (int i = 0; i < 1000; i++) {
    tail.append("line " + std::to_string(i) + "\n");
  }
  const std::string text = tail.text();
  EXPECT_TRUE(text.starts_with("…")) << text;
  EXPECT_TRUE(text.ends_with("line 999")) << text;
  EXPECT_LE(text.size(), 16u + std::string("…").size());
}

TEST(OutputTail, ShortOutputIsKeptWholeAndTrimmed) {
  OutputTail tail;
  tail.append("\nerror: no such file\n\n");
  EXPECT_EQ(tail.text(), "error: no such file");
}

}  // namespace
}  // namespace genq::runner
