// Balances and the usage ledger in every Store (SQLite and PostgreSQL): top-ups, the charge written by the
// transition to done (once, at the price the job was submitted with), unlimited
// clients, and unbilled jobs.
#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class StoreLedger : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    create_client("cl_1", "", "hash-1");
  }

  Balance balance() {
    Result<Balance> balance = store_->get_balance("cl_1");
    EXPECT_TRUE(balance) << balance.error().message;
    return balance ? *balance : Balance{};
  }

  std::vector<LedgerEntry> ledger() {
    Result<LedgerPage> page = store_->list_ledger("cl_1", 0, 100);
    EXPECT_TRUE(page) << page.error().message;
    return page ? page->entries : std::vector<LedgerEntry>{};
  }

  void complete(const LeaseRef& lease) {
    Result<Job> done = store_->complete(lease, JobResult{"results/x/output.png", "image/png", std::nullopt});
    ASSERT_TRUE(done) << done.error().message;
  }
};

GENQ_STORE_SUITE(StoreLedger);

TEST_P(StoreLedger, TopUpsAddUpAndAreListedNewestFirst) {
  ASSERT_TRUE(store_->top_up("cl_1", 2'000'000'000, "first"));
  Result<Balance> after = store_->top_up("cl_1", -500'000'000, "correction");
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->nanos, 1'500'000'000);
  const auto entries = ledger();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].note, "correction");
  EXPECT_EQ(entries[0].kind, LedgerKind::TopUp);
  EXPECT_EQ(entries[0].balance_nanos, 1'500'000'000);
  EXPECT_EQ(entries[1].amount_nanos, 2'000'000'000);
  EXPECT_EQ(store_->top_up("cl_ghost", 1, "").error().kind, ErrorKind::NotFound);
}

TEST_P(StoreLedger, ADoneJobIsChargedItsSubmittedPriceOnce) {
  ASSERT_TRUE(store_->top_up("cl_1", 1'000'000'000, ""));
  NewJob job = new_job("j1");
  job.price_nanos = 2'100'000;
  submit(job);
  EXPECT_EQ(balance().nanos, 1'000'000'000) << "nothing at submit";
  const LeaseRef lease = claim_one();
  complete(lease);
  EXPECT_EQ(balance().nanos, 997'900'000);
  EXPECT_FALSE(store_->complete(lease, JobResult{"results/x/output.png", "image/png", std::nullopt}))
      << "a done job cannot complete again";
  reopen();
  EXPECT_EQ(balance().nanos, 997'900'000);
  const auto entries = ledger();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].kind, LedgerKind::Charge);
  EXPECT_EQ(entries[0].job_id, "j1");
  EXPECT_EQ(entries[0].amount_nanos, -2'100'000);
  EXPECT_EQ(entries[0].price_nanos, 2'100'000);
  EXPECT_EQ(entries[0].model, kModel);
}

TEST_P(StoreLedger, UnbilledFailedAndCancelledJobsCostNothing) {
  submit(new_job("unbilled"));
  complete(claim_one());
  NewJob failing = new_job("failing");
  failing.price_nanos = 5;
  submit(failing);
  ASSERT_TRUE(store_->fail(claim_one(), "boom", false, ""));
  NewJob cancelled = new_job("cancelled");
  cancelled.price_nanos = 5;
  submit(cancelled);
  ASSERT_TRUE(store_->cancel("cancelled", "cl_1"));
  EXPECT_EQ(balance().nanos, 0);
  EXPECT_TRUE(ledger().empty());
}

TEST_P(StoreLedger, AnUnlimitedClientIsNotDebitedButTheUsageIsKept) {
  Result<Balance> set = store_->set_unlimited("cl_1", true);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_TRUE(set->unlimited);
  NewJob job = new_job("j1");
  job.price_nanos = 7;
  submit(job);
  complete(claim_one());
  EXPECT_EQ(balance().nanos, 0);
  const auto entries = ledger();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].amount_nanos, 0);
  EXPECT_EQ(entries[0].price_nanos, 7);
}

}  // namespace
}  // namespace genq
