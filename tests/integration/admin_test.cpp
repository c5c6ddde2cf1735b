// The admin role (SPEC §1): an admin token written on first start (or taken from
// GENQ_ADMIN_TOKEN), clients and worker tokens created over HTTP or the CLI, any job
// readable.
#include <sys/stat.h>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class Admin : public GenqTest {};

TEST_F(Admin, FirstStartWritesAPrivateAdminToken) {
  const auto path = server().data_dir() / "admin-token";
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_GE(server().admin_token().size(), 16u) << "admin token too short to be secret";
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 077, 0u) << "admin-token must not be readable by others";
}

TEST_F(Admin, AdminTokenSurvivesARestart) {
  const std::string before = server().admin_token();
  server().restart();
  EXPECT_EQ(server().admin_token(), before);
  const auto response = server().admin_http().post_json("/api/v1/admin/clients",
                                                        boost::json::object{{"name", "after"}});
  EXPECT_EQ(response.status, 200) << response.describe();
}

TEST_F(Admin, CreateClientOverHttpGivesAWorkingApiKey) {
  const auto response = server().admin_http().post_json("/api/v1/admin/clients",
                                                        boost::json::object{{"name", "acme"}});
  ASSERT_EQ(response.status, 200) << response.describe();
  const auto body = response.json();
  const std::string client_id = text_at(body, "/client_id");
  const std::string api_key = text_at(body, "/api_key");
  const std::string secret = text_at(body, "/webhook_secret");
  EXPECT_NE(client_id, "<missing>");
  EXPECT_TRUE(secret.starts_with("whsec_")) << secret;
  const auto base64 = base64_decode(secret.substr(6));
  ASSERT_TRUE(base64) << "whsec_ must be followed by base64: " << secret;
  EXPECT_EQ(base64->size(), 32u) << "32 random bytes";

  const auto submitted = requests().minimal("txt2img").submit(server().http().with_bearer(api_key));
  EXPECT_EQ(submitted.status, 200) << submitted.describe();
}

TEST_F(Admin, CliCreatedClientWorksAgainstTheRunningServer) {
  const auto created = server().create_client("cli-made");
  EXPECT_TRUE(created.webhook_secret.starts_with("whsec_"));
  EXPECT_NE(created.client_id, client().client_id);
  EXPECT_NE(created.api_key, client().api_key);
  const auto response = requests().minimal("txt2img").submit(server().client_http(created));
  EXPECT_EQ(response.status, 200) << response.describe();
}

TEST_F(Admin, CreateWorkerTokenOverHttpLimitsItsModels) {
  const auto* image_model = requests().model_for("txt2img");
  const auto response = server().admin_http().post_json(
      "/api/v1/admin/worker-tokens",
      boost::json::object{{"models", boost::json::array{boost::json::string(image_model->name)}}});
  ASSERT_EQ(response.status, 200) << response.describe();
  const std::string token = text_at(response.json(), "/token");
  ASSERT_NE(token, "<missing>");

  submit(requests().minimal("txt2audio"));
  const std::string image_job = submit(requests().minimal("txt2img"));
  const ManualWorker worker(server().http(), token);
  const auto jobs = worker.claim(kShortWait, {}, 32);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs.front().job_id, image_job);
}

TEST_F(Admin, WorkerTokenForAnUnknownModelIsRefused) {
  const auto response = server().admin_http().post_json(
      "/api/v1/admin/worker-tokens",
      boost::json::object{{"models", boost::json::array{"NoSuchModel"}}});
  EXPECT_EQ(response.status, 422) << response.describe();
}

TEST_F(Admin, AdminReadsAnyClientsJob) {
  const std::string id = submit(requests().minimal("txt2img"));
  const auto response = server().admin_http().get("/api/v1/admin/jobs/" + id);
  ASSERT_EQ(response.status, 200) << response.describe();
  const auto admin_view = response.json();
  const auto client_view = status_of(id);
  ASSERT_TRUE(client_view);
  // Same shape as request-status: every field the client sees, with the same values.
  for (const auto& [key, value] : *client_view) {
    const auto* seen = json_at(admin_view, "/data/" + std::string(key));
    ASSERT_NE(seen, nullptr) << "admin view lacks " << key;
    if (key != "queue_position") {
      EXPECT_EQ(*seen, value) << key;
    }
  }
  EXPECT_EQ(server().admin_http().get("/api/v1/admin/jobs/00000000-0000-4000-8000-000000000000").status,
            404);
}

TEST_F(Admin, AdminRoutesRefuseOtherCredentials) {
  const std::string id = submit(requests().minimal("txt2img"));
  for (const auto& [who, http] : std::vector<std::pair<std::string, HttpClient>>{
           {"no token", server().http()},
           {"wrong token", server().http().with_bearer("not-the-admin-token")},
           {"client api key", server().client_http(client())},
           {"worker token", server().http().with_bearer(server().create_worker_token())}}) {
    const auto create = http.post_json("/api/v1/admin/clients", boost::json::object{{"name", "x"}});
    EXPECT_EQ(create.status, 401) << who << ": " << create.describe();
    const auto read = http.get("/api/v1/admin/jobs/" + id);
    EXPECT_EQ(read.status, 401) << who << ": " << read.describe();
    const auto token = http.post_json("/api/v1/admin/worker-tokens", boost::json::object{});
    EXPECT_EQ(token.status, 401) << who << ": " << token.describe();
  }
}

// deAPI answers a suspended account 403 (its SDK raises AccountSuspendedError); a wrong
// key stays 401.
TEST_F(Admin, DisabledClientIsSuspendedNotUnauthenticated) {
  const std::string id = submit(requests().minimal("txt2img"));
  const auto disabled = server().admin_http().request(
      "POST", "/api/v1/admin/clients/" + client().client_id + "/disable");
  ASSERT_EQ(disabled.status, 200) << disabled.describe();
  for (const auto& response : {api().get("/api/v1/client/request-status/" + id),
                               requests().minimal("txt2img").submit(api()),
                               api().get("/api/v1/client/balance")}) {
    EXPECT_EQ(response.status, 403) << response.describe();
    EXPECT_EQ(text_at(response.json(), "/message"), "Your account has been suspended.") << response.describe();
  }
  const auto wrong = server().http().with_bearer(client().api_key + "x").get("/api/v1/client/request-status/" + id);
  EXPECT_EQ(wrong.status, 401) << wrong.describe();
  EXPECT_EQ(text_at(wrong.json(), "/message"), "Unauthenticated.");

  const auto enabled = server().admin_http().request(
      "POST", "/api/v1/admin/clients/" + client().client_id + "/enable");
  ASSERT_EQ(enabled.status, 200) << enabled.describe();
  EXPECT_EQ(api().get("/api/v1/client/request-status/" + id).status, 200);
}

TEST(AdminTokenFromEnvironment, IsUsedAndNoTokenFileIsWritten) {
  const std::string token = "test-admin-token-0123456789abcdef";
  GenqServer server(server_options({}, {{"GENQ_ADMIN_TOKEN", token}}));
  EXPECT_FALSE(std::filesystem::exists(server.data_dir() / "admin-token"));
  const auto accepted = server.http().with_bearer(token).post_json(
      "/api/v1/admin/clients", boost::json::object{{"name", "env"}});
  EXPECT_EQ(accepted.status, 200) << accepted.describe();
  const auto refused = server.http().with_bearer(token + "x").post_json(
      "/api/v1/admin/clients", boost::json::object{{"name", "env"}});
  EXPECT_EQ(refused.status, 401) << refused.describe();
}

}  // namespace
}  // namespace genq::testing
