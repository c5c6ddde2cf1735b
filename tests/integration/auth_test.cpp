// Client credentials (SPEC §1): a missing or wrong API key gets
// 401 {"message":"Unauthenticated."}; another client's job is a plain 404 that gives
// no hint the job exists.
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class ClientAuth : public GenqTest {
 protected:
  void expect_unauthenticated(const HttpResponse& response, const std::string& what) {
    EXPECT_EQ(response.status, 401) << what << ": " << response.describe();
    if (response.status == 401) {
      EXPECT_EQ(text_at(response.json(), "/message"), "Unauthenticated.") << what;
    }
  }

  // Every client route, authenticated by whatever `http` carries.
  void expect_every_client_route_refuses(const HttpClient& http, const std::string& who) {
    const JobRequest request = requests().minimal("txt2img");
    const std::string id = submit(request);
    expect_unauthenticated(request.submit(http), who + " submit");
    expect_unauthenticated(request.price(http), who + " price");
    expect_unauthenticated(http.get("/api/v1/client/request-status/" + id), who + " status");
    expect_unauthenticated(http.request("POST", "/api/v1/client/request-cancel/" + id),
                           who + " cancel");
    expect_unauthenticated(http.get("/api/v1/client/models"), who + " models");
    expect_unauthenticated(http.get("/api/v1/client/account/webhook"), who + " get webhook");
    expect_unauthenticated(
        http.put_json("/api/v1/client/account/webhook",
                      boost::json::object{{"url", "https://example.com/hook"}}),
        who + " put webhook");
    // The refused cancel must not have touched the job.
    const auto status = status_of(id);
    ASSERT_TRUE(status);
    EXPECT_EQ(field(*status, "status"), "pending");
  }
};

TEST_F(ClientAuth, RequestsWithoutAnApiKeyAreUnauthenticated) {
  expect_every_client_route_refuses(server().http(), "no key");
}

TEST_F(ClientAuth, RequestsWithAWrongApiKeyAreUnauthenticated) {
  expect_every_client_route_refuses(server().http().with_bearer("not-a-real-key"), "wrong key");
  expect_every_client_route_refuses(server().http().with_bearer(client().api_key + "x"),
                                    "key with an extra character");
}

TEST_F(ClientAuth, AnApiKeyInAnotherSchemeIsUnauthenticated) {
  const HttpClient basic(server().base_url(), {{"Authorization", "Basic " + client().api_key}});
  expect_unauthenticated(basic.get("/api/v1/client/models"), "Basic scheme");
}

TEST_F(ClientAuth, AWorkerTokenIsNotAnApiKey) {
  const std::string token = server().create_worker_token();
  expect_every_client_route_refuses(server().http().with_bearer(token), "worker token");
}

TEST_F(ClientAuth, AnotherClientsJobIsNotFound) {
  const std::string id = submit(requests().minimal("txt2img"));
  const auto other = server().client_http(server().create_client("other"));

  const auto status = other.get("/api/v1/client/request-status/" + id);
  EXPECT_EQ(status.status, 404) << status.describe();
  const auto cancel = other.request("POST", "/api/v1/client/request-cancel/" + id);
  EXPECT_EQ(cancel.status, 404) << cancel.describe();

  // The owner still sees it, untouched by the other client's cancel.
  const auto mine = status_of(id);
  ASSERT_TRUE(mine);
  EXPECT_EQ(field(*mine, "status"), "pending");
}

TEST_F(ClientAuth, AnotherClientsJobLooksExactlyLikeOneThatDoesNotExist) {
  const std::string id = submit(requests().minimal("txt2img"));
  const auto other = server().client_http(server().create_client("other"));
  const std::string missing = "00000000-0000-4000-8000-000000000000";

  const auto theirs = other.get("/api/v1/client/request-status/" + id);
  const auto nobodys = other.get("/api/v1/client/request-status/" + missing);
  ASSERT_EQ(theirs.status, 404) << theirs.describe();
  ASSERT_EQ(nobodys.status, 404) << nobodys.describe();
  // Messages may quote the id asked for; apart from that they must be identical.
  std::string theirs_body = theirs.body;
  if (const auto at = theirs_body.find(id); at != std::string::npos) {
    theirs_body.replace(at, id.size(), missing);
  }
  EXPECT_EQ(theirs_body, nobodys.body);
  EXPECT_NE(text_at(theirs.json(), "/message"), "<missing>");
}

TEST_F(ClientAuth, AnIdThatIsNotAUuidIsNotFound) {
  const auto response = api().get("/api/v1/client/request-status/not-a-uuid");
  EXPECT_EQ(response.status, 404) << response.describe();
  EXPECT_NE(text_at(response.json(), "/message"), "<missing>");
}

TEST_F(ClientAuth, EachClientSeesItsOwnJobs) {
  const auto second_client = server().create_client("second");
  const auto second = server().client_http(second_client);
  const std::string mine = submit(requests().minimal("txt2img"));
  const std::string theirs = request_id_of(requests().minimal("txt2img").submit(second));
  EXPECT_NE(mine, theirs);
  EXPECT_EQ(api().get("/api/v1/client/request-status/" + mine).status, 200);
  EXPECT_EQ(second.get("/api/v1/client/request-status/" + theirs).status, 200);
  EXPECT_EQ(api().get("/api/v1/client/request-status/" + theirs).status, 404);
  EXPECT_EQ(second.get("/api/v1/client/request-status/" + mine).status, 404);
}

}  // namespace
}  // namespace genq::testing
