#include "genq/bus/version_gate.hpp"

#include <gtest/gtest.h>

namespace genq {
namespace {

TEST(VersionGate, NewerVersionsPassAndOlderOnesAreDropped) {
  VersionGate gate;
  EXPECT_TRUE(gate.admit("a", 1, false));
  EXPECT_TRUE(gate.admit("a", 3, false));
  EXPECT_FALSE(gate.admit("a", 2, false)) << "older than the last delivered";
  EXPECT_FALSE(gate.admit("a", 3, false)) << "the same change twice";
  EXPECT_TRUE(gate.admit("a", 4, false));
  EXPECT_TRUE(gate.admit("b", 1, false)) << "jobs are ordered each on their own";
}

TEST(VersionGate, NothingPassesAfterAFinalChange) {
  VersionGate gate;
  EXPECT_TRUE(gate.admit("a", 5, true));
  EXPECT_FALSE(gate.admit("a", 4, false)) << "in_progress after done";
  EXPECT_FALSE(gate.admit("a", 0, false)) << "even without a version";
  EXPECT_FALSE(gate.admit("a", 6, true)) << "done twice";
}

TEST(VersionGate, UnknownVersionsAreNeverOrderedExceptAfterAFinalOne) {
  VersionGate gate;
  EXPECT_TRUE(gate.admit("a", 0, false));
  EXPECT_TRUE(gate.admit("a", 0, false));
  EXPECT_TRUE(gate.admit("a", 2, false));
  EXPECT_TRUE(gate.admit("a", 0, true));
  EXPECT_FALSE(gate.admit("a", 0, false));
}

TEST(VersionGate, WouldAdmitRemembersNothing) {
  VersionGate gate;
  EXPECT_TRUE(gate.would_admit("a", 1));
  EXPECT_EQ(gate.size(), 0u);
  gate.admit("a", 2, false);
  EXPECT_FALSE(gate.would_admit("a", 2));
  EXPECT_TRUE(gate.would_admit("a", 3));
}

TEST(VersionGate, ForgetsTheLeastRecentlyChangedJobBeyondItsCapacity) {
  VersionGate gate(2);
  gate.admit("a", 5, false);
  gate.admit("b", 5, false);
  gate.admit("a", 6, false);  // a is now the more recent
  gate.admit("c", 1, false);  // forgets b
  EXPECT_EQ(gate.size(), 2u);
  EXPECT_FALSE(gate.would_admit("a", 6)) << "a was kept";
  EXPECT_TRUE(gate.would_admit("b", 1)) << "b was forgotten";
}

}  // namespace
}  // namespace genq
