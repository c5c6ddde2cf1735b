// HTTP-level refusals (SPEC §3): unknown task and unknown route → 404, wrong method →
// 405, oversized body → 413 (--max-body-bytes); every one a JSON body with a
// "message".
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

void expect_json_error(const HttpResponse& response, long status, const std::string& what) {
  EXPECT_EQ(response.status, status) << what << ": " << response.describe();
  const auto type = response.header("content-type");
  EXPECT_TRUE(type && type->starts_with("application/json"))
      << what << ": content-type " << type.value_or("<none>");
  if (response.status == status) {
    EXPECT_NE(text_at(response.json(), "/message"), "<missing>") << what;
  }
}

class HttpErrors : public GenqTest {};

TEST_F(HttpErrors, UnknownTaskIsNotFound) {
  JobRequest request = requests().minimal("txt2img");
  request.task = "txt2hologram";
  expect_json_error(request.submit(api()), 404, "unknown task");
  expect_json_error(request.price(api()), 404, "unknown task price");
}

TEST_F(HttpErrors, UnknownRoutesAreNotFound) {
  expect_json_error(api().get("/api/v1/nothing-here"), 404, "GET unknown api route");
  expect_json_error(api().get("/no/such/page"), 404, "GET unknown page");
  expect_json_error(api().request("POST", "/api/v2/client/txt2img", "{}", "application/json"), 404,
                    "unknown version");
}

TEST_F(HttpErrors, WrongMethodIsNotAllowed) {
  const std::string id = submit(requests().minimal("txt2img"));
  expect_json_error(api().get("/api/v1/client/txt2img"), 405, "GET on submit");
  expect_json_error(api().del("/api/v1/client/request-status/" + id), 405, "DELETE on status");
  expect_json_error(api().get("/api/v1/client/request-cancel/" + id), 405, "GET on cancel");
  expect_json_error(api().put_json("/api/v1/client/models", boost::json::object{}), 405,
                    "PUT on models");
  expect_json_error(api().del("/api/v1/client/account/webhook"), 405, "DELETE on webhook");
  // The refused DELETE left the job alone.
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "status"), "pending");
}

class SmallBodyLimit : public GenqTest {
 protected:
  static constexpr std::size_t kLimit = 4096;
  std::vector<std::string> server_args() const override {
    return {"--max-body-bytes", std::to_string(kLimit)};
  }
};

TEST_F(SmallBodyLimit, OversizedBodyIsTooLarge) {
  JobRequest request = requests().minimal("txt2img");
  request.fields["prompt"] = std::string(4 * kLimit, 'a');
  expect_json_error(request.submit(api()), 413, "body four times the limit");
  const auto jobs = manual_worker().claim();
  EXPECT_TRUE(jobs.empty()) << "an oversized request created a job";
}

TEST_F(SmallBodyLimit, BodyUnderTheLimitIsAccepted) {
  JobRequest request = requests().minimal("txt2img");
  request.fields["prompt"] = std::string(kLimit / 2, 'a');
  const auto response = request.submit(api());
  EXPECT_EQ(response.status, 200) << response.describe();
}

TEST_F(SmallBodyLimit, ServerKeepsServingAfterAnOversizedBody) {
  JobRequest big = requests().minimal("txt2img");
  big.fields["prompt"] = std::string(64 * kLimit, 'a');
  const auto refused = big.submit(api());
  EXPECT_EQ(refused.status, 413) << refused.describe();
  const auto accepted = requests().minimal("txt2img").submit(api());
  EXPECT_EQ(accepted.status, 200) << accepted.describe();
}

}  // namespace
}  // namespace genq::testing
