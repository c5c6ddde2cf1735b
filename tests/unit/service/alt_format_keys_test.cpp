// Which formats a job's result is offered in, and the keys of the copies: derived from
// the result's key both ways, so removal needs no record of which copies were made.
#include "genq/service/alt_format_keys.hpp"

#include <gtest/gtest.h>

namespace genq {
namespace {

Job done_with_result(const std::string& key, const std::string& mime) {
  Job job;
  job.id = "j1";
  job.status = JobStatus::Done;
  job.result_blob = key;
  job.result_mime = mime;
  return job;
}

std::vector<std::string> offered_extensions(const Job& job) {
  std::vector<std::string> extensions;
  for (const AltFormat& alt : alt_formats_of(job)) extensions.emplace_back(media::extension_of(alt.format));
  return extensions;
}

TEST(AltFormatKeys, EachImageResultIsOfferedInTheOtherTwoFormats) {
  using V = std::vector<std::string>;
  EXPECT_EQ(offered_extensions(done_with_result("results/j1/output.png", "image/png")), (V{"jpg", "webp"}));
  EXPECT_EQ(offered_extensions(done_with_result("results/j1/output.jpg", "image/jpeg")), (V{"png", "webp"}));
  EXPECT_EQ(offered_extensions(done_with_result("results/j1/output.webp", "image/webp")), (V{"jpg", "png"}));
  // Without a content type the key's extension tells.
  EXPECT_EQ(offered_extensions(done_with_result("results/j1/output.jpg", "")), (V{"png", "webp"}));
}

TEST(AltFormatKeys, CopiesAreNamedAfterTheResult) {
  const auto formats = alt_formats_of(done_with_result("results/j1/output.png", "image/png"));
  ASSERT_EQ(formats.size(), 2u);
  EXPECT_EQ(formats[0].key, "results/j1/output.png.alt.jpg");
  EXPECT_EQ(formats[1].key, "results/j1/output.png.alt.webp");
}

TEST(AltFormatKeys, OtherResultsAndUnfinishedJobsOfferNone) {
  EXPECT_TRUE(alt_formats_of(done_with_result("results/j1/result.txt", "text/plain")).empty());
  EXPECT_TRUE(alt_formats_of(done_with_result("results/j1/output.mp4", "video/mp4")).empty());
  EXPECT_TRUE(alt_formats_of(done_with_result("results/j1/output.gif", "image/gif")).empty());
  EXPECT_TRUE(alt_formats_of(done_with_result("", "")).empty());
  Job running = done_with_result("results/j1/output.png", "image/png");
  running.status = JobStatus::InProgress;
  EXPECT_TRUE(alt_formats_of(running).empty());
  Job failed = done_with_result("results/j1/output.png", "image/png");
  failed.status = JobStatus::Error;
  EXPECT_TRUE(alt_formats_of(failed).empty());
}

TEST(AltFormatKeys, ACopysKeyLeadsBackToItsResult) {
  auto source = alt_format_source("results/j1/output.png.alt.webp");
  ASSERT_TRUE(source);
  EXPECT_EQ(source->result_key, "results/j1/output.png");
  EXPECT_EQ(source->format, media::ImageFormat::Webp);
  for (const char* not_a_copy :
       {"results/j1/output.png", "inputs/j1/image.png.alt.jpg", "results/j1/result.txt.alt.jpg",
        "results/j1/output.png.alt.jpeg", "results/j1/output.png.alt.gif", "results/j1/output.png.alt.jpg.alt.png",
        "results/j1/.alt.png"}) {
    EXPECT_FALSE(alt_format_source(not_a_copy)) << not_a_copy;
  }
}

TEST(AltFormatKeys, RemovalListsGainEveryCopyOfEachImageResult) {
  std::vector<std::string> keys{"results/j1/output.png", "inputs/j1/image.png", "results/j2/result.txt"};
  add_alt_format_keys(keys);
  EXPECT_EQ(keys, (std::vector<std::string>{"results/j1/output.png", "inputs/j1/image.png", "results/j2/result.txt",
                                            "results/j1/output.png.alt.jpg", "results/j1/output.png.alt.png",
                                            "results/j1/output.png.alt.webp"}));
}

}  // namespace
}  // namespace genq
