// ClaimPicker: which candidates a claim leases, and when it reads another pass.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "genq/store/claim_order.hpp"

namespace genq::claim_order {
namespace {

std::function<Result<RunningCap>(const std::string&)> caps(std::map<std::string, RunningCap> by_client,
                                                           int* reads = nullptr) {
  return [by_client, reads](const std::string& client_id) -> Result<RunningCap> {
    if (reads) ++*reads;
    auto it = by_client.find(client_id);
    return it == by_client.end() ? RunningCap{} : it->second;
  };
}

TEST(ClaimPicker, TakesPriorityThenRoundThenSubmitOrder) {
  ClaimPicker picker(4);
  Result<std::vector<std::int64_t>> chosen = picker.choose(
      {{5, "a", 1, 1}, {6, "b", 1, 0}, {7, "c", 2, 9}, {1, "a", 1, 0}, {9, "d", 0, 0}}, caps({}));
  ASSERT_TRUE(chosen);
  EXPECT_EQ(*chosen, (std::vector<std::int64_t>{7, 1, 6, 5}));
  EXPECT_FALSE(picker.wants_more()) << "four wanted, four chosen";
}

TEST(ClaimPicker, PassesOverAClientAtItsCapAndAsksForAnotherPassWithoutIt) {
  ClaimPicker picker(2);
  int reads = 0;
  auto read = caps({{"a", RunningCap{2, 1}}}, &reads);
  Result<std::vector<std::int64_t>> first = picker.choose({{1, "a", 1, 0}, {2, "a", 1, 1}}, read);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, std::vector<std::int64_t>{1}) << "a runs 1 of 2: one more, then it is at its cap";
  EXPECT_TRUE(picker.wants_more());
  EXPECT_EQ(picker.capped_clients(), std::vector<std::string>{"a"});
  EXPECT_EQ(picker.still_wanted(), 1);

  Result<std::vector<std::int64_t>> second = picker.choose({{3, "b", 1, 2}}, read);
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, std::vector<std::int64_t>{3});
  EXPECT_FALSE(picker.wants_more());
  EXPECT_EQ(reads, 2) << "each client's grant is read once per claim";
}

TEST(ClaimPicker, StopsWhenAPassHeldNothingBack) {
  ClaimPicker picker(3);
  Result<std::vector<std::int64_t>> chosen = picker.choose({{1, "a", 1, 0}}, caps({}));
  ASSERT_TRUE(chosen);
  EXPECT_EQ(*chosen, std::vector<std::int64_t>{1});
  EXPECT_FALSE(picker.wants_more()) << "fewer candidates than wanted and none held back: nothing else waits";
}

TEST(ClaimPicker, AGrantThatCannotBeReadFailsTheClaim) {
  ClaimPicker picker(1);
  auto broken = [](const std::string&) -> Result<RunningCap> { return fail(Error::unavailable("store down")); };
  Result<std::vector<std::int64_t>> chosen = picker.choose({{1, "a", 1, 0}}, broken);
  ASSERT_FALSE(chosen);
  EXPECT_EQ(chosen.error().kind, ErrorKind::Unavailable);
}

TEST(ClaimPicker, QueueFullIsATooManyRequestsError) {
  Error error = queue_full(5);
  EXPECT_EQ(error.kind, ErrorKind::Exhausted);
  EXPECT_NE(error.message.find("at most 5 jobs waiting"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace genq::claim_order
