// Submit validation (SPEC §3): 422 {"message":"<first problem>","errors":{field:[…]}}
// naming every bad field; malformed JSON, a body of the wrong JSON type and bytes
// that are not UTF-8 are 400. A refused request creates no job.
#include <boost/json/serialize.hpp>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class SubmitValidation : public GenqTest {
 protected:
  // Asserts a 422 whose errors name `fields` (at least those), each with a message,
  // and whose "message" is one of the problems listed.
  void expect_invalid(const HttpResponse& response, const std::vector<std::string>& fields) {
    ASSERT_EQ(response.status, 422) << response.describe();
    const auto body = response.json();
    const auto* errors = json_at(body, "/errors");
    ASSERT_TRUE(errors != nullptr && errors->is_object()) << response.describe();
    bool message_is_a_problem = false;
    for (const auto& [name, problems] : errors->get_object()) {
      ASSERT_TRUE(problems.is_array() && !problems.get_array().empty())
          << "errors." << name << " must list problems: " << response.describe();
      for (const auto& problem : problems.get_array()) {
        message_is_a_problem = message_is_a_problem || (problem.is_string() &&
                                                        problem.get_string() ==
                                                            text_at(body, "/message"));
      }
    }
    EXPECT_TRUE(message_is_a_problem) << "message should be the first problem: "
                                      << response.describe();
    for (const auto& name : fields) {
      EXPECT_TRUE(errors->get_object().contains(name))
          << "errors should name " << name << ": " << response.describe();
    }
  }

  void expect_bad_request(const HttpResponse& response) {
    EXPECT_EQ(response.status, 400) << response.describe();
    if (response.status == 400) {
      EXPECT_NE(text_at(response.json(), "/message"), "<missing>") << response.describe();
    }
  }

  // Nothing reached the queue: a worker asking for work gets none.
  void expect_no_job_queued() {
    const auto jobs = manual_worker().claim();
    EXPECT_TRUE(jobs.empty()) << "a refused request created a job";
  }

  HttpResponse post_raw(std::string_view body, std::string_view task = "txt2img") {
    return api().request("POST", "/api/v1/client/" + std::string(task), body, "application/json");
  }

  std::int64_t width_above_maximum() const {
    const auto* model = requests().model_for("txt2img");
    const auto* width = requests().param(*model, "width");
    return static_cast<std::int64_t>(width->max.value_or(4096) + width->step.value_or(8));
  }
};

TEST_F(SubmitValidation, AValidMinimalRequestIsAccepted) {
  // The baseline every case below breaks in one way.
  const auto response = requests().minimal("txt2img").submit(api());
  EXPECT_EQ(response.status, 200) << response.describe();
}

TEST_F(SubmitValidation, UnknownModelIsNamed) {
  JobRequest request = requests().minimal("txt2img");
  request.fields["model"] = "NoSuchModel-9000";
  expect_invalid(request.submit(api()), {"model"});
  expect_no_job_queued();
}

TEST_F(SubmitValidation, MissingModelIsNamed) {
  JobRequest request = requests().minimal("txt2img");
  request.fields.erase("model");
  expect_invalid(request.submit(api()), {"model"});
}

TEST_F(SubmitValidation, ModelThatDoesNotServeTheTaskIsNamed) {
  const auto* other = requests().model_not_serving("txt2img");
  ASSERT_NE(other, nullptr) << "every catalog model serves txt2img";
  JobRequest request = requests().minimal("txt2img");
  request.fields["model"] = other->name;
  expect_invalid(request.submit(api()), {"model"});
  expect_no_job_queued();
}

TEST_F(SubmitValidation, OutOfRangeWidthIsNamed) {
  JobRequest request = requests().minimal("txt2img");
  request.fields["width"] = width_above_maximum();
  expect_invalid(request.submit(api()), {"width"});
  request.fields["width"] = -64;
  expect_invalid(request.submit(api()), {"width"});
  expect_no_job_queued();
}

TEST_F(SubmitValidation, MissingPromptIsNamed) {
  JobRequest request = requests().minimal("txt2img");
  request.fields.erase("prompt");
  expect_invalid(request.submit(api()), {"prompt"});
  request.fields["prompt"] = "";
  expect_invalid(request.submit(api()), {"prompt"});
}

TEST_F(SubmitValidation, BadWebhookUrlIsNamed) {
  JobRequest request = requests().minimal("txt2img");
  for (const char* url : {"not a url", "ftp://example.com/hook", "https://"}) {
    request.fields["webhook_url"] = url;
    expect_invalid(request.submit(api()), {"webhook_url"});
  }
  expect_no_job_queued();
}

TEST_F(SubmitValidation, EveryBadFieldIsNamedAtOnce) {
  JobRequest request = requests().minimal("txt2img");
  request.fields.erase("prompt");
  request.fields["width"] = width_above_maximum();
  request.fields["webhook_url"] = "not a url";
  expect_invalid(request.submit(api()), {"prompt", "width", "webhook_url"});
}

TEST_F(SubmitValidation, FieldOfTheWrongTypeIsNamed) {
  JobRequest request = requests().minimal("txt2img");
  request.fields["width"] = "wide";
  expect_invalid(request.submit(api()), {"width"});
  request.fields["width"] = 64.5;
  expect_invalid(request.submit(api()), {"width"});
}

TEST_F(SubmitValidation, MissingInputFileIsNamed) {
  JobRequest request = requests().minimal("img2img");
  ASSERT_FALSE(request.files.empty()) << "img2img takes an image";
  const std::string field_name = request.files.front().field;
  request.files.clear();
  // Sent as multipart all the same, as a browser form without a file would be.
  MultipartBody body;
  for (const auto& [name, value] : request.fields) {
    body.fields.emplace_back(std::string(name),
                             value.is_string() ? std::string(value.get_string())
                                               : boost::json::serialize(value));
  }
  expect_invalid(api().post_multipart("/api/v1/client/img2img", body), {field_name});
  expect_no_job_queued();
}

TEST_F(SubmitValidation, MalformedJsonIsABadRequest) {
  expect_bad_request(post_raw(R"({"model": "Flux1schnell", "prompt": )"));
  expect_bad_request(post_raw("{'model': 'Flux1schnell'}"));
  expect_bad_request(post_raw(R"({"model": "Flux1schnell"} trailing)"));
  expect_no_job_queued();
}

TEST_F(SubmitValidation, ABodyThatIsNotAJsonObjectIsABadRequest) {
  expect_bad_request(post_raw(R"(["model", "Flux1schnell"])"));
  expect_bad_request(post_raw(R"("Flux1schnell")"));
  expect_bad_request(post_raw("42"));
  expect_no_job_queued();
}

TEST_F(SubmitValidation, BytesThatAreNotUtf8AreABadRequest) {
  const JobRequest request = requests().minimal("txt2img");
  std::string body = boost::json::serialize(request.fields);
  const auto at = body.find("a red fox");
  ASSERT_NE(at, std::string::npos) << body;
  body.replace(at, 1, "\xff\xfe");  // never valid in UTF-8
  expect_bad_request(post_raw(body));
  expect_no_job_queued();
}

TEST_F(SubmitValidation, Utf8PromptsAreAccepted) {
  JobRequest request = requests().minimal("txt2img");
  request.fields["prompt"] = "ein Fuchs im Schnee, 雪の中の狐 🦊";
  const auto response = request.submit(api());
  EXPECT_EQ(response.status, 200) << response.describe();
}

}  // namespace
}  // namespace genq::testing
