// ConnectionLimits: the total and per-address caps, and slots coming back when their
// last copy goes.
#include "genq/http/connection_limits.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace genq::http {
namespace {

const auto kAlice = boost::asio::ip::make_address("203.0.113.7");
const auto kBob = boost::asio::ip::make_address("2001:db8::1");

TEST(ConnectionLimits, TotalCapRefusesPastItAndASlotComesBackWhenItsLastCopyGoes) {
  auto limits = ConnectionLimits::create({.max_total = 2, .max_per_address = 0});
  ConnectionLimits::Slot first = limits->acquire(kAlice);
  ConnectionLimits::Slot second = limits->acquire(kBob);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(limits->acquire(kAlice), nullptr);
  EXPECT_EQ(limits->open(), 2u);

  ConnectionLimits::Slot copy = first;  // moved on to a WebSocket, say
  first.reset();
  EXPECT_EQ(limits->acquire(kAlice), nullptr) << "a copy still holds the slot";
  copy.reset();
  EXPECT_EQ(limits->open(), 1u);
  EXPECT_NE(limits->acquire(kAlice), nullptr);
}

TEST(ConnectionLimits, PerAddressCapLeavesOtherAddressesAlone) {
  auto limits = ConnectionLimits::create({.max_total = 0, .max_per_address = 3});
  std::vector<ConnectionLimits::Slot> alice;
  for (int i = 0; i < 3; ++i) alice.push_back(limits->acquire(kAlice));
  for (const auto& slot : alice) ASSERT_NE(slot, nullptr);
  EXPECT_EQ(limits->acquire(kAlice), nullptr);
  EXPECT_NE(limits->acquire(kBob), nullptr);
  alice.pop_back();
  EXPECT_NE(limits->acquire(kAlice), nullptr);
}

TEST(ConnectionLimits, SlotsOutliveTheLimitsObjectSafely) {
  ConnectionLimits::Slot slot;
  {
    auto limits = ConnectionLimits::create({.max_total = 1, .max_per_address = 1});
    slot = limits->acquire(kAlice);
    ASSERT_NE(slot, nullptr);
  }
  slot.reset();  // releases into the limits its deleter kept alive
}

}  // namespace
}  // namespace genq::http
