// GET|PUT /api/v1/client/account/webhook (SPEC §3): a client's default webhook,
// {"url","events"}, stored per client.
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

constexpr std::string_view kPath = "/api/v1/client/account/webhook";

class AccountWebhook : public GenqTest {
 protected:
  boost::json::value get_settings(const HttpClient& http) {
    const auto response = http.get(kPath);
    EXPECT_EQ(response.status, 200) << response.describe();
    return response.status == 200 ? response.json() : boost::json::value();
  }
};

TEST_F(AccountWebhook, ANewClientHasNoWebhookUrl) {
  const auto body = get_settings(api());
  const auto* url = json_at(body, "/data/url");
  ASSERT_NE(url, nullptr) << boost::json::serialize(body);
  EXPECT_TRUE(url->is_null() || (url->is_string() && url->get_string().empty()))
      << boost::json::serialize(body);
  const auto* events = json_at(body, "/data/events");
  EXPECT_TRUE(events != nullptr && events->is_array()) << boost::json::serialize(body);
}

TEST_F(AccountWebhook, PutThenGetReturnsWhatWasStored) {
  const boost::json::object settings{
      {"url", "https://hooks.example.com/genq"},
      {"events", boost::json::array{"job.completed", "job.failed"}}};
  const auto put = api().put_json(kPath, settings);
  ASSERT_EQ(put.status, 200) << put.describe();
  EXPECT_EQ(text_at(put.json(), "/data/url"), "https://hooks.example.com/genq");

  const auto body = get_settings(api());
  EXPECT_EQ(text_at(body, "/data/url"), "https://hooks.example.com/genq");
  EXPECT_EQ(text_at(body, "/data/events"), R"(["job.completed","job.failed"])");
}

TEST_F(AccountWebhook, SettingsSurviveARestart) {
  ASSERT_EQ(api().put_json(kPath, boost::json::object{{"url", "https://hooks.example.com/a"}}).status,
            200);
  server().restart();
  EXPECT_EQ(text_at(get_settings(api()), "/data/url"), "https://hooks.example.com/a");
}

TEST_F(AccountWebhook, EachClientHasItsOwn) {
  ASSERT_EQ(api().put_json(kPath, boost::json::object{{"url", "https://hooks.example.com/mine"}}).status,
            200);
  const auto other = server().client_http(server().create_client("other"));
  const auto theirs = get_settings(other);
  EXPECT_NE(text_at(theirs, "/data/url"), "https://hooks.example.com/mine");
}

TEST_F(AccountWebhook, BadUrlIsRefusedAndNothingChanges) {
  ASSERT_EQ(api().put_json(kPath, boost::json::object{{"url", "https://hooks.example.com/ok"}}).status,
            200);
  for (const char* url : {"not a url", "ftp://hooks.example.com/x", "https://"}) {
    const auto response = api().put_json(kPath, boost::json::object{{"url", url}});
    EXPECT_EQ(response.status, 422) << url << ": " << response.describe();
    if (response.status == 422) {
      EXPECT_NE(json_at(response.json(), "/errors/url"), nullptr) << response.describe();
    }
  }
  EXPECT_EQ(text_at(get_settings(api()), "/data/url"), "https://hooks.example.com/ok");
}

TEST_F(AccountWebhook, UnknownEventIsRefused) {
  const auto response = api().put_json(
      kPath, boost::json::object{{"url", "https://hooks.example.com/x"},
                                 {"events", boost::json::array{"job.exploded"}}});
  EXPECT_EQ(response.status, 422) << response.describe();
  if (response.status == 422) {
    EXPECT_NE(json_at(response.json(), "/errors/events"), nullptr) << response.describe();
  }
}

TEST_F(AccountWebhook, ClearingTheUrlRemovesIt) {
  ASSERT_EQ(api().put_json(kPath, boost::json::object{{"url", "https://hooks.example.com/x"}}).status,
            200);
  const auto cleared = api().put_json(kPath, boost::json::object{{"url", nullptr}});
  EXPECT_EQ(cleared.status, 200) << cleared.describe();
  const auto settings = get_settings(api());  // json_at points into it: keep it alive
  const auto* url = json_at(settings, "/data/url");
  ASSERT_NE(url, nullptr);
  EXPECT_TRUE(url->is_null() || (url->is_string() && url->get_string().empty()));
}

TEST_F(AccountWebhook, MalformedJsonIsABadRequest) {
  const auto response = api().request("PUT", std::string(kPath), "{\"url\":", "application/json");
  EXPECT_EQ(response.status, 400) << response.describe();
}

}  // namespace
}  // namespace genq::testing
