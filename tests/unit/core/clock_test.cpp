// Times as clients write them (RFC 3339) and as genq writes them (ISO 8601 UTC, ms).
#include <gtest/gtest.h>

#include "genq/core/clock.hpp"

namespace genq {
namespace {

TEST(Iso8601, WhatGenqWritesReadsBackToTheMillisecond) {
  const TimePoint t = from_unix_ms(1'764'720'123'456);
  EXPECT_EQ(to_iso8601(t), "2025-12-03T00:02:03.456Z");
  EXPECT_EQ(parse_iso8601(to_iso8601(t)), t);
}

TEST(Iso8601, OffsetsAndFractionsAreRead) {
  EXPECT_EQ(parse_iso8601("2026-12-01T00:00:00Z"), from_unix_ms(1'796'083'200'000));
  EXPECT_EQ(parse_iso8601("2026-12-01T01:30:00+01:30"), from_unix_ms(1'796'083'200'000));
  EXPECT_EQ(parse_iso8601("2026-11-30T19:00:00-05:00"), from_unix_ms(1'796'083'200'000));
  EXPECT_EQ(parse_iso8601("2026-12-01t00:00:00.5z"), from_unix_ms(1'796'083'200'500));
  EXPECT_EQ(parse_iso8601("2026-12-01T00:00:00.123456Z"), from_unix_ms(1'796'083'200'123)) << "to the ms";
}

TEST(Iso8601, AnythingElseIsRefused) {
  for (const char* bad : {"", "yesterday", "2026-12-01", "2026-12-01T00:00:00", "2026-12-01 00:00:00Z",
                          "2026-13-01T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T00:00:00.Z",
                          "2026-12-01T00:00:00+0100", "2026-12-01T00:00:00Zjunk", "1764720000"}) {
    EXPECT_FALSE(parse_iso8601(bad)) << bad;
  }
}

}  // namespace
}  // namespace genq
