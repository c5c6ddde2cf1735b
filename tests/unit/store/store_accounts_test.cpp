// Every Store (SQLite and PostgreSQL) as AccountStore: clients, API keys, account webhooks, worker tokens.
#include <gtest/gtest.h>

#include <algorithm>

#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class StoreAccounts : public StoreFixture {
 protected:
  static Client client(std::string id, std::string name = "Acme") {
    Client c;
    c.id = std::move(id);
    c.name = std::move(name);
    c.webhook_secret = "whsec_abc";
    return c;
  }

  static WorkerToken token(std::string id, std::vector<std::string> models = {}) {
    WorkerToken t;
    t.id = std::move(id);
    t.name = "gpu-box";
    t.models = std::move(models);
    return t;
  }
};

GENQ_STORE_SUITE(StoreAccounts);

TEST_P(StoreAccounts, CreatedClientIsFoundByItsKeyHash) {
  Result<Client> created = store_->create_client(client("cl_1"), "hash-1");
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->created_at, clock_.now());

  Result<Client> found = store_->find_client_by_key("hash-1");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, "cl_1");
  EXPECT_EQ(found->name, "Acme");
  EXPECT_EQ(found->webhook_secret, "whsec_abc");
  EXPECT_EQ(found->webhook_url, "");
  EXPECT_TRUE(found->webhook_events.empty());
  EXPECT_FALSE(found->disabled);
  EXPECT_EQ(found->created_at, clock_.now());
}

TEST_P(StoreAccounts, UnknownKeyIsNotFound) {
  Result<Client> found = store_->find_client_by_key("nope");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().kind, ErrorKind::NotFound);
}

TEST_P(StoreAccounts, DuplicateClientIdIsConflict) {
  ASSERT_TRUE(store_->create_client(client("cl_1"), "hash-1"));
  Result<Client> again = store_->create_client(client("cl_1"), "hash-2");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::Conflict);
  EXPECT_FALSE(store_->find_client_by_key("hash-2")) << "the failed create left no key behind";
}

TEST_P(StoreAccounts, DisabledClientIsFoundByKeyMarkedDisabled) {
  ASSERT_TRUE(store_->create_client(client("cl_1"), "hash-1"));
  ASSERT_TRUE(store_->set_client_disabled("cl_1", true));

  // The API answers a suspended account 403, a wrong key 401: the store tells them apart.
  Result<Client> found = store_->find_client_by_key("hash-1");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_TRUE(found->disabled);
  Result<Client> got = store_->get_client("cl_1");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_TRUE(got->disabled);

  ASSERT_TRUE(store_->set_client_disabled("cl_1", false));
  Result<Client> enabled = store_->find_client_by_key("hash-1");
  ASSERT_TRUE(enabled) << enabled.error().message;
  EXPECT_FALSE(enabled->disabled) << "re-enabling clears the credential cache";
}

TEST_P(StoreAccounts, AddedApiKeyFindsSameClient) {
  ASSERT_TRUE(store_->create_client(client("cl_1"), "hash-1"));
  ASSERT_TRUE(store_->add_api_key("cl_1", "hash-2"));
  Result<Client> found = store_->find_client_by_key("hash-2");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, "cl_1");
  EXPECT_TRUE(store_->find_client_by_key("hash-1")) << "the first key keeps working";
}

TEST_P(StoreAccounts, ApiKeyForUnknownClientIsNotFound) {
  Status added = store_->add_api_key("cl_ghost", "hash-1");
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().kind, ErrorKind::NotFound);
}

TEST_P(StoreAccounts, ReusedApiKeyHashIsConflict) {
  ASSERT_TRUE(store_->create_client(client("cl_1"), "hash-1"));
  ASSERT_TRUE(store_->create_client(client("cl_2"), "hash-2"));
  Status added = store_->add_api_key("cl_2", "hash-1");
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().kind, ErrorKind::Conflict);
}

TEST_P(StoreAccounts, GetUnknownClientIsNotFound) {
  Result<Client> got = store_->get_client("cl_ghost");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, ErrorKind::NotFound);
}

TEST_P(StoreAccounts, ListClientsReturnsEveryClientInCreationOrder) {
  ASSERT_TRUE(store_->create_client(client("cl_b", "Second"), "hash-b"));
  clock_.advance(1s);
  ASSERT_TRUE(store_->create_client(client("cl_a", "Third"), "hash-a"));
  ASSERT_TRUE(store_->set_client_disabled("cl_a", true));

  Result<std::vector<Client>> clients = store_->list_clients();
  ASSERT_TRUE(clients) << clients.error().message;
  ASSERT_EQ(clients->size(), 2u);
  EXPECT_EQ(clients->at(0).id, "cl_b");
  EXPECT_EQ(clients->at(1).id, "cl_a");
  EXPECT_TRUE(clients->at(1).disabled);
}

TEST_P(StoreAccounts, AccountWebhookStoresUrlAndEvents) {
  ASSERT_TRUE(store_->create_client(client("cl_1"), "hash-1"));
  ASSERT_TRUE(store_->set_account_webhook("cl_1", "https://example.com/hook", {"job.done", "job.error"}));
  Result<Client> got = store_->get_client("cl_1");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->webhook_url, "https://example.com/hook");
  EXPECT_EQ(got->webhook_events, (std::vector<std::string>{"job.done", "job.error"}));

  Status unknown = store_->set_account_webhook("cl_ghost", "https://example.com", {});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::NotFound);
}

TEST_P(StoreAccounts, DisablingUnknownClientIsNotFound) {
  Status disabled = store_->set_client_disabled("cl_ghost", true);
  ASSERT_FALSE(disabled);
  EXPECT_EQ(disabled.error().kind, ErrorKind::NotFound);
}

TEST_P(StoreAccounts, WorkerTokenIsFoundByHashWithItsModels) {
  Result<WorkerToken> created =
      store_->create_worker_token(token("wt_1", {"Flux1schnell", "SDXL"}), "thash-1");
  ASSERT_TRUE(created) << created.error().message;

  Result<WorkerToken> found = store_->find_worker_by_token("thash-1");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, "wt_1");
  EXPECT_EQ(found->name, "gpu-box");
  EXPECT_EQ(found->models, (std::vector<std::string>{"Flux1schnell", "SDXL"}));
  EXPECT_FALSE(found->disabled);

  ASSERT_TRUE(store_->create_worker_token(token("wt_2"), "thash-2"));
  Result<WorkerToken> any_model = store_->find_worker_by_token("thash-2");
  ASSERT_TRUE(any_model) << any_model.error().message;
  EXPECT_TRUE(any_model->models.empty());
}

TEST_P(StoreAccounts, UnknownOrDisabledWorkerTokenIsNotFound) {
  WorkerToken disabled = token("wt_1");
  disabled.disabled = true;
  ASSERT_TRUE(store_->create_worker_token(disabled, "thash-1"));
  Result<WorkerToken> found = store_->find_worker_by_token("thash-1");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().kind, ErrorKind::NotFound);
  EXPECT_EQ(store_->find_worker_by_token("nope").error().kind, ErrorKind::NotFound);
}

TEST_P(StoreAccounts, DuplicateWorkerTokenIsConflict) {
  ASSERT_TRUE(store_->create_worker_token(token("wt_1"), "thash-1"));
  Result<WorkerToken> same_id = store_->create_worker_token(token("wt_1"), "thash-2");
  ASSERT_FALSE(same_id);
  EXPECT_EQ(same_id.error().kind, ErrorKind::Conflict);
}

TEST_P(StoreAccounts, AccountsSurviveReopen) {
  ASSERT_TRUE(store_->create_client(client("cl_1"), "hash-1"));
  ASSERT_TRUE(store_->create_worker_token(token("wt_1", {"SDXL"}), "thash-1"));
  reopen();
  EXPECT_TRUE(store_->find_client_by_key("hash-1"));
  EXPECT_TRUE(store_->find_worker_by_token("thash-1"));
}

TEST_P(StoreAccounts, ClientCreatedByAnotherProcessIsSeenAtOnce) {
  // `genq admin create-client` opens its own store on the database while the server runs.
  std::unique_ptr<Store> admin = open_store();
  ASSERT_TRUE(admin);
  ASSERT_TRUE(admin->create_client(client("cl_new"), "hash-new"));
  admin.reset();
  Result<Client> found = store_->find_client_by_key("hash-new");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->id, "cl_new");
}

TEST_P(StoreAccounts, ApiKeysAreListedByIdAndARevokedOneIsNotFound) {
  const std::string first(64, 'a'), second = std::string(16, 'b') + std::string(48, 'c');
  ASSERT_TRUE(store_->create_client(client("cl_1"), first));
  ASSERT_TRUE(store_->add_api_key("cl_1", second));
  Result<std::vector<ApiKeyInfo>> keys = store_->list_api_keys("cl_1");
  ASSERT_TRUE(keys) << keys.error().message;
  ASSERT_EQ(keys->size(), 2u);
  std::vector<std::string> ids = {keys->at(0).id, keys->at(1).id};
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{"key_aaaaaaaaaaaaaaaa", "key_bbbbbbbbbbbbbbbb"}));

  ASSERT_TRUE(store_->find_client_by_key(first));  // cached now: revocation must clear it
  ASSERT_TRUE(store_->revoke_api_key("cl_1", "key_aaaaaaaaaaaaaaaa"));
  EXPECT_FALSE(store_->find_client_by_key(first));
  EXPECT_TRUE(store_->find_client_by_key(second));
  EXPECT_EQ(store_->revoke_api_key("cl_1", "key_aaaaaaaaaaaaaaaa").error().kind, ErrorKind::NotFound);
  EXPECT_EQ(store_->revoke_api_key("cl_2", "key_bbbbbbbbbbbbbbbb").error().kind, ErrorKind::NotFound)
      << "another client's key";
  EXPECT_EQ(store_->revoke_api_key("cl_1", "key_%").error().kind, ErrorKind::NotFound);

  ASSERT_TRUE(store_->revoke_api_key("cl_1", "key_bbbbbbbbbbbbbbbb"));
  EXPECT_TRUE(store_->list_api_keys("cl_1").value().empty()) << "a client with no key left is still listed";
  EXPECT_EQ(store_->list_api_keys("nobody").error().kind, ErrorKind::NotFound);
}

TEST_P(StoreAccounts, WorkerTokensAreDisabledEnabledAndDeleted) {
  ASSERT_TRUE(store_->create_worker_token(token("wt_1"), "thash-1"));
  ASSERT_TRUE(store_->find_worker_by_token("thash-1"));  // cached now
  ASSERT_TRUE(store_->set_worker_token_disabled("wt_1", true));
  EXPECT_FALSE(store_->find_worker_by_token("thash-1"));
  EXPECT_TRUE(store_->list_worker_tokens().value().at(0).disabled);
  ASSERT_TRUE(store_->set_worker_token_disabled("wt_1", false));
  EXPECT_TRUE(store_->find_worker_by_token("thash-1"));
  ASSERT_TRUE(store_->delete_worker_token("wt_1"));
  EXPECT_FALSE(store_->find_worker_by_token("thash-1"));
  EXPECT_TRUE(store_->list_worker_tokens().value().empty());
  EXPECT_EQ(store_->delete_worker_token("wt_1").error().kind, ErrorKind::NotFound);
  EXPECT_EQ(store_->set_worker_token_disabled("wt_1", true).error().kind, ErrorKind::NotFound);
}

}  // namespace
}  // namespace genq
