// Job ids: RFC 9562 version-7 UUIDs, so ids made later sort later.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "genq/crypto/crypto.hpp"

namespace {

const std::regex kUuidV7("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

TEST(UuidV7, HasTheVersionAndVariantBits) {
  for (int i = 0; i < 100; ++i) {
    std::string id = genq::crypto::uuid_v7(1'764'720'000'000);
    EXPECT_TRUE(std::regex_match(id, kUuidV7)) << id;
  }
}

TEST(UuidV7, StartsWithTheMillisecondsInHex) {
  // 0x019ae2d0a400 ms = 2025-12-03T00:00:00Z
  EXPECT_EQ(genq::crypto::uuid_v7(0x019ae2d0a400).substr(0, 13), "019ae2d0-a400");
}

TEST(UuidV7, LaterMillisecondsSortLaterAndSameMillisecondIdsDiffer) {
  const std::string a = genq::crypto::uuid_v7(1'764'720'000'000);
  const std::string b = genq::crypto::uuid_v7(1'764'720'000'001);
  const std::string c = genq::crypto::uuid_v7(1'764'720'000'001);
  EXPECT_LT(a, b);
  EXPECT_LT(a, c);
  EXPECT_NE(b, c);
}

TEST(IdRandomBytes, GivesTheLengthAskedForAndNeverTheSameBytesTwice) {
  // Across a refill of the per-thread pool (4 KiB): 300 draws of 20 bytes.
  std::set<std::string> seen;
  for (int i = 0; i < 300; ++i) {
    std::string bytes = genq::crypto::id_random_bytes(20);
    ASSERT_EQ(bytes.size(), 20u);
    EXPECT_TRUE(seen.insert(bytes).second) << "draw " << i << " repeated an earlier one";
  }
  EXPECT_EQ(genq::crypto::id_random_bytes(10'000).size(), 10'000u) << "larger than the pool";
}

}  // namespace
