// Credentials with a lifecycle (docs/security.md): API keys added, listed and revoked;
// worker tokens disabled, enabled and deleted, over the admin API and `genq admin`.
// A revoked or disabled credential is refused at once.
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class Credentials : public GenqTest {};

TEST_F(Credentials, AnApiKeyAddedWorksBesideTheOldOneAndARevokedOneIsRefusedAtOnce) {
  const HttpClient admin = server().admin_http();
  const std::string keys_path = "/api/v1/admin/clients/" + client().client_id + "/api-keys";
  const auto added = admin.post_json(keys_path, boost::json::object{});
  ASSERT_EQ(added.status, 200) << added.describe();
  const std::string new_key = text_at(added.json(), "/api_key");
  const std::string new_id = text_at(added.json(), "/id");
  EXPECT_TRUE(new_id.starts_with("key_")) << added.body;

  const auto listed = admin.get(keys_path);
  ASSERT_EQ(listed.status, 200) << listed.describe();
  const boost::json::value listing = listed.json();
  const auto& data = listing.as_object().at("data").as_array();
  ASSERT_EQ(data.size(), 2U) << listed.body;
  EXPECT_EQ(listed.body.find(new_key), std::string::npos) << "a listed key shows itself";
  const std::string old_id = std::string(data.at(0).as_object().at("id").as_string());

  // Both keys work; the client moves to the new one and the old one is revoked.
  EXPECT_EQ(server().http().with_bearer(new_key).get("/api/v1/client/balance").status, 200);
  EXPECT_EQ(api().get("/api/v1/client/balance").status, 200);
  const auto revoked = admin.del(keys_path + "/" + old_id);
  ASSERT_EQ(revoked.status, 200) << revoked.describe();
  EXPECT_EQ(api().get("/api/v1/client/balance").status, 401) << "the revoked key still works (a cached lookup)";
  EXPECT_EQ(server().http().with_bearer(new_key).get("/api/v1/client/balance").status, 200);
  EXPECT_EQ(admin.del(keys_path + "/" + old_id).status, 404);
  EXPECT_EQ(admin.del(keys_path + "/not-an-id").status, 404);
  EXPECT_EQ(admin.get("/api/v1/admin/clients/nobody/api-keys").status, 404);
  EXPECT_EQ(api().post_json(keys_path, boost::json::object{}).status, 401) << "a client key is not an admin token";
}

TEST_F(Credentials, ADisabledWorkerTokenIsRefusedUntilEnabledAndADeletedOneForGood) {
  const HttpClient admin = server().admin_http();
  const std::string token = server().create_worker_token();
  const HttpClient worker = server().http().with_bearer(token);
  auto claim = [&] { return worker.post_json("/api/v1/worker/claim", boost::json::object{{"wait_ms", 0}}).status; };
  ASSERT_EQ(claim(), 200);
  // The admin command lists it with its id; the API takes the id.
  const auto listed = run_command({GENQ_BINARY, "admin", "list-worker-tokens", "--data", server().data_dir().string()}, 20s);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto tokens = first_json_line(listed.out).as_object().at("data").as_array();
  ASSERT_EQ(tokens.size(), 1U) << listed.out;
  const std::string id = std::string(tokens.at(0).as_object().at("id").as_string());
  EXPECT_EQ(listed.out.find(token), std::string::npos) << "the list shows a token";

  ASSERT_EQ(admin.post_json("/api/v1/admin/worker-tokens/" + id + "/disable", boost::json::object{}).status, 200);
  EXPECT_EQ(claim(), 401) << "a disabled token still claims (a cached lookup)";
  ASSERT_EQ(admin.post_json("/api/v1/admin/worker-tokens/" + id + "/enable", boost::json::object{}).status, 200);
  EXPECT_EQ(claim(), 200);
  const auto deleted =
      run_command({GENQ_BINARY, "admin", "delete-worker-token", "--data", server().data_dir().string(), "--token-id", id},
                  20s);
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  // Another process changed the database: this server sees it within its cache's 5 s.
  EXPECT_TRUE(wait_until(10s, [&] { return claim() == 401; }));
  EXPECT_EQ(admin.del("/api/v1/admin/worker-tokens/" + id).status, 404);
  const auto again =
      run_command({GENQ_BINARY, "admin", "delete-worker-token", "--data", server().data_dir().string(), "--token-id", id},
                  20s);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("not found"), std::string::npos) << again.err;
}

TEST_F(Credentials, TheAdminCommandsAddListAndRevokeKeys) {
  const std::string data = server().data_dir().string();
  const auto added = run_command({GENQ_BINARY, "admin", "add-api-key", "--data", data, "--client", client().client_id}, 20s);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const auto key = first_json_line(added.out);
  const std::string id = text_at(key, "/id");
  const auto listed = run_command({GENQ_BINARY, "admin", "list-api-keys", "--data", data, "--client", client().client_id}, 20s);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
  const auto revoked = run_command(
      {GENQ_BINARY, "admin", "revoke-api-key", "--data", data, "--client", client().client_id, "--key", id}, 20s);
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_TRUE(wait_until(10s, [&] {
    return server().http().with_bearer(text_at(key, "/api_key")).get("/api/v1/client/balance").status == 401;
  }));
  const auto unknown = run_command({GENQ_BINARY, "admin", "list-api-keys", "--data", data, "--client", "nobody"}, 20s);
  EXPECT_EQ(unknown.exit_code, 1);
}

}  // namespace
}  // namespace genq::testing
