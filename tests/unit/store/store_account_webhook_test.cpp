// An account's webhook secrets and endpoint in every Store (SQLite and PostgreSQL):
// secrets sealed at rest (docs/security.md) and the account webhook's health, disable
// and recover (docs/webhooks.md, "Endpoint health").
#include <gtest/gtest.h>

#include <memory>

#include "genq/crypto/secret_box.hpp"
#include "genq/store/sealed_secrets.hpp"
#include "unit/store/outbox_fixture.hpp"

namespace genq {
namespace {

class StoreAccountWebhook : public OutboxFixture {};

GENQ_STORE_SUITE(StoreAccountWebhook);

// docs/webhooks.md, "Endpoint health".
TEST_P(StoreAccountWebhook, AnAccountWebhookIsDisabledByItsFailuresAndRecoverMakesItsFailedDeliveriesDueAgain) {
  const std::string account = "https://account.example.com/in";
  ASSERT_TRUE(store_->set_account_webhook("cl_1", account, {}));
  submit(new_job("a"));
  submit(new_job("b"));
  ASSERT_TRUE(store_->cancel("a", "cl_1"));
  ASSERT_TRUE(store_->cancel("b", "cl_1"));
  NewJob own = hooked_job("own");
  submit(own);
  ASSERT_TRUE(store_->cancel("own", "cl_1"));
  std::vector<DueDelivery> rows = due();
  ASSERT_EQ(rows.size(), 3u);
  for (const DueDelivery& row : rows) {
    EXPECT_EQ(row.client_id, "cl_1");
    EXPECT_EQ(row.account_endpoint, row.job_id != "own") << row.job_id;
    EXPECT_FALSE(row.endpoint_disabled);
  }
  std::vector<AttemptRecord> failed;
  for (const DueDelivery& row : rows) failed.push_back(attempt(row, 500, DeliveryState::Failed));
  ASSERT_TRUE(store_->record_attempts(failed));

  const EndpointRules two_in_a_row{Millis(0), 2};
  const TimePoint first = clock_.now();
  Result<std::vector<DisabledEndpoint>> disabled = store_->note_endpoint_attempts(
      {{"cl_1", account, false, first}, {"cl_1", "https://old.example.com/", false, first}}, two_in_a_row);
  ASSERT_TRUE(disabled) << disabled.error().message;
  EXPECT_TRUE(disabled->empty());
  Result<Client> client = store_->get_client("cl_1");
  ASSERT_TRUE(client);
  EXPECT_EQ(client->webhook_health.consecutive_failures, 1) << "an attempt at another URL does not count";
  EXPECT_EQ(client->webhook_health.failing_since, first);

  clock_.advance(1s);
  disabled = store_->note_endpoint_attempts({{"cl_1", account, false, clock_.now()}}, two_in_a_row);
  ASSERT_TRUE(disabled) << disabled.error().message;
  ASSERT_EQ(disabled->size(), 1u);
  EXPECT_EQ((*disabled)[0].reason, "2 attempts in a row failed");
  EXPECT_EQ((*disabled)[0].disabled_at, clock_.now());
  disabled = store_->note_endpoint_attempts({{"cl_1", account, true, clock_.now()}}, two_in_a_row);
  ASSERT_TRUE(disabled);
  EXPECT_TRUE(disabled->empty());
  client = store_->get_client("cl_1");
  ASSERT_TRUE(client);
  EXPECT_TRUE(client->webhook_health.disabled_at) << "a disabled endpoint stays so until recovered";

  submit(new_job("c"));
  ASSERT_TRUE(store_->cancel("c", "cl_1"));
  rows = due();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].endpoint_disabled);
  EXPECT_EQ(rows[0].endpoint_disabled_reason, "2 attempts in a row failed");
  ASSERT_TRUE(store_->record_attempts({attempt(rows[0], std::nullopt, DeliveryState::Failed)}));

  // Only the account webhook's failed deliveries of the window: a and b, not c (after
  // it), not own (another URL).
  Result<std::int64_t> recovered = store_->recover_account_webhook("cl_1", first - 1s, first + 500ms);
  ASSERT_TRUE(recovered) << recovered.error().message;
  EXPECT_EQ(*recovered, 2);
  client = store_->get_client("cl_1");
  ASSERT_TRUE(client);
  EXPECT_FALSE(client->webhook_health.disabled_at);
  EXPECT_EQ(client->webhook_health.consecutive_failures, 0);
  rows = due();
  ASSERT_EQ(rows.size(), 2u);
  for (const DueDelivery& row : rows) {
    EXPECT_TRUE(row.job_id == "a" || row.job_id == "b") << row.job_id;
    EXPECT_FALSE(row.endpoint_disabled);
  }
  EXPECT_FALSE(store_->recover_account_webhook("nobody", first, clock_.now()));
}

// docs/security.md, "Webhook secrets at rest".
TEST_P(StoreAccountWebhook, WebhookSecretsAreSealedAtRestOnceAndReadBackPlain) {
  struct RemoveKeyAtEnd {
    ~RemoveKeyAtEnd() { use_secret_box(nullptr); }
  } remove_key_at_end;
  const std::string old_secret(40, 'o');
  const std::string new_secret(40, 'n');
  // cl_1 and this job were stored with no key: plain, as by a genq before sealing.
  NewJob old_job = hooked_job("old");
  old_job.webhook_secret = old_secret;
  submit(old_job);
  ASSERT_EQ(stored_text("SELECT webhook_secret FROM clients WHERE id = 'cl_1'"), kAccountSecret);

  auto box = std::make_shared<const crypto::SecretBox>(*crypto::SecretBox::from_key_text(std::string(64, 'a')));
  use_secret_box(box);
  Result<std::int64_t> sealed = store_->seal_stored_secrets();
  ASSERT_TRUE(sealed) << sealed.error().message;
  EXPECT_EQ(*sealed, 2) << "the account's secret and the job's";
  sealed = store_->seal_stored_secrets();
  ASSERT_TRUE(sealed) << sealed.error().message;
  EXPECT_EQ(*sealed, 0) << "once per database";

  NewJob new_job = hooked_job("new");
  new_job.webhook_secret = new_secret;
  submit(new_job);
  ASSERT_TRUE(store_->rotate_webhook_secret("cl_1", "whsec_rotated", clock_.now() + 1h));
  for (const char* sql : {"SELECT webhook_secret FROM clients WHERE id = 'cl_1'",
                          "SELECT webhook_secret_previous FROM clients WHERE id = 'cl_1'",
                          "SELECT webhook_secret FROM jobs WHERE id = 'old'",
                          "SELECT webhook_secret FROM jobs WHERE id = 'new'"}) {
    const std::string stored = stored_text(sql);
    EXPECT_TRUE(stored.starts_with(box->sealed_prefix())) << sql << " stored " << stored;
  }

  // Every reader above the store sees them plain: the job, the account, the sender.
  EXPECT_EQ(get("old").webhook_secret, old_secret);
  EXPECT_EQ(get("new").webhook_secret, new_secret);
  claim_one();
  claim_one();
  const auto rows = due();
  ASSERT_EQ(rows.size(), 2u);
  for (const DueDelivery& row : rows) {
    EXPECT_EQ(row.job_secret, row.job_id == "old" ? old_secret : new_secret);
    EXPECT_EQ(row.account_secret, "whsec_rotated");
    EXPECT_EQ(row.previous_account_secret, kAccountSecret);
  }

  // A store sealed with one key refuses another: it would sign with garbage.
  use_secret_box(std::make_shared<const crypto::SecretBox>(*crypto::SecretBox::from_key_text(std::string(64, 'b'))));
  Result<std::int64_t> refused = store_->seal_stored_secrets();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::Invalid);
  EXPECT_NE(refused.error().message.find(box->key_id()), std::string::npos) << refused.error().message;
}

// GENQ_SECRETS_KEY_PREVIOUS: the old key opens what it sealed until every secret is
// sealed again with the new one, in one go; from then on the old key alone is refused.
TEST_P(StoreAccountWebhook, AChangeOfKeySealsEverySecretAgainWithTheNewKey) {
  struct RemoveKeyAtEnd {
    ~RemoveKeyAtEnd() { use_secret_box(nullptr); }
  } remove_key_at_end;
  auto key = [](char digit) {
    return std::make_shared<const crypto::SecretBox>(*crypto::SecretBox::from_key_text(std::string(64, digit)));
  };
  const auto old_key = key('a');
  const auto new_key = key('b');
  use_secret_box(old_key);
  NewJob job = hooked_job("job");
  job.webhook_secret = std::string(40, 'j');
  submit(job);
  ASSERT_TRUE(store_->seal_stored_secrets());
  const char* account_sql = "SELECT webhook_secret FROM clients WHERE id = 'cl_1'";
  const char* job_sql = "SELECT webhook_secret FROM jobs WHERE id = 'job'";
  ASSERT_TRUE(stored_text(job_sql).starts_with(old_key->sealed_prefix()));

  use_secret_box(new_key, old_key);
  Result<std::int64_t> resealed = store_->seal_stored_secrets();
  ASSERT_TRUE(resealed) << resealed.error().message;
  EXPECT_EQ(*resealed, 2) << "the account's secret and the job's";
  for (const char* sql : {account_sql, job_sql}) {
    EXPECT_TRUE(stored_text(sql).starts_with(new_key->sealed_prefix())) << sql << " stored " << stored_text(sql);
  }
  EXPECT_EQ(new_key->open(stored_text(account_sql)), kAccountSecret);
  EXPECT_EQ(get("job").webhook_secret, std::string(40, 'j'));
  resealed = store_->seal_stored_secrets();
  ASSERT_TRUE(resealed) << resealed.error().message;
  EXPECT_EQ(*resealed, 0) << "once";

  for (auto [current, previous] : {std::pair{old_key, decltype(old_key){}}, std::pair{key('c'), old_key}}) {
    use_secret_box(current, previous);
    Result<std::int64_t> refused = store_->seal_stored_secrets();
    ASSERT_FALSE(refused) << "key " << current->key_id();
    EXPECT_NE(refused.error().message.find(new_key->key_id()), std::string::npos) << refused.error().message;
  }
}

}  // namespace
}  // namespace genq
