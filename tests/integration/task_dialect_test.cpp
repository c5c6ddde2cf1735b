// The second dialect (SPEC §6, seeds/003, docs/task-api.md) against the real binary:
// generateTask / statusTask in the seed's exact shapes, state mapping through a job's
// whole life, resultJson as a string with downloadable signed resultUrls, failMsg,
// one job read in both dialects, the catalog's field aliases and data: URL inputs,
// and every error in the {"code","message","data":null} envelope.
#include <boost/json/parse.hpp>

#include <set>

#include "genq/crypto/crypto.hpp"
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

std::set<std::string> keys_of(const boost::json::object& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object) keys.emplace(key);
  return keys;
}

class TaskDialect : public GenqTest {
 protected:
  HttpResponse generate(const std::string& model, const boost::json::value& body) const {
    return api().post_json("/api/v1/generateTask/" + model, body);
  }

  // Submits a text-to-image task and returns its taskId; fails the test otherwise.
  std::string generate_image(const std::string& model = "Flux1schnell", boost::json::object input = {}) const {
    input["mode"] = "text-to-image";
    if (!input.contains("prompt")) input["prompt"] = "A beautiful sunset over mountains";
    const auto answer = generate(model, boost::json::object{{"request_type", "async"}, {"input", input}});
    EXPECT_EQ(answer.status, 200) << answer.describe();
    return std::string(answer.json().at("data").at("taskId").as_string());
  }

  HttpResponse status_task(const std::string& model, const std::string& task_id) const {
    return api().get("/api/v1/statusTask/" + model + "?taskId=" + task_id);
  }

  // The "data" of a 200 statusTask answer, checking the envelope on the way.
  boost::json::object task_data(const std::string& model, const std::string& task_id) const {
    const auto answer = status_task(model, task_id);
    EXPECT_EQ(answer.status, 200) << answer.describe();
    const auto body = answer.json().as_object();
    EXPECT_EQ(keys_of(body), (std::set<std::string>{"code", "message", "data"})) << answer.body;
    EXPECT_EQ(body.at("code").as_int64(), 200);
    EXPECT_EQ(body.at("message").as_string(), "success");
    return body.at("data").as_object();
  }

  // Asserts the dialect's error envelope with this status.
  static void expect_envelope(const HttpResponse& answer, long status, std::string_view message_part) {
    EXPECT_EQ(answer.status, status) << answer.describe();
    const auto body = answer.json().as_object();
    EXPECT_EQ(keys_of(body), (std::set<std::string>{"code", "message", "data"})) << answer.body;
    EXPECT_EQ(body.at("code").as_int64(), status) << answer.body;
    EXPECT_TRUE(body.at("data").is_null()) << answer.body;
    EXPECT_NE(std::string(body.at("message").as_string()).find(message_part), std::string::npos)
        << "message lacks \"" << message_part << "\": " << answer.body;
  }

  static std::string request_id_of_task(const std::string& task_id) { return task_id.substr(5); }
};

TEST_F(TaskDialect, GenerateTaskAnswersTheSeedsShape) {
  const auto answer = generate("Flux1schnell", boost::json::parse(R"({
      "request_type": "async",
      "input": {"mode": "text-to-image", "prompt": "A beautiful sunset over mountains"}})"));
  ASSERT_EQ(answer.status, 200) << answer.describe();
  const auto body = answer.json().as_object();
  EXPECT_EQ(keys_of(body), (std::set<std::string>{"code", "message", "data"}));
  EXPECT_EQ(body.at("code").as_int64(), 200);
  EXPECT_EQ(body.at("message").as_string(), "success");
  const auto& data = body.at("data").as_object();
  EXPECT_EQ(keys_of(data), (std::set<std::string>{"taskId"}));
  EXPECT_TRUE(std::string(data.at("taskId").as_string()).starts_with("task_")) << answer.body;
}

TEST_F(TaskDialect, APendingTaskShowsOnlyItsIdStateAndProgress) {
  const std::string task_id = generate_image();
  const auto data = task_data("Flux1schnell", task_id);
  EXPECT_EQ(keys_of(data), (std::set<std::string>{"taskId", "state", "progress"})) << boost::json::serialize(data);
  EXPECT_EQ(data.at("taskId").as_string(), task_id);
  EXPECT_EQ(data.at("state").as_string(), "pending");
  EXPECT_EQ(data.at("progress").to_number<double>(), 0.0);
}

TEST_F(TaskDialect, StatesFollowTheJobToSuccessWithDownloadableResultUrls) {
  const std::string task_id = generate_image("Flux1schnell", {{"width", 320}, {"height", 256}});
  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(request_id_of_task(task_id), kJobDeadline);
  ASSERT_TRUE(job) << "the task was never claimable";
  EXPECT_EQ(task_data("Flux1schnell", task_id).at("state").as_string(), "processing");  // processing

  ASSERT_EQ(worker.progress(*job, 45.5).status, 200);
  auto running = task_data("Flux1schnell", task_id);
  EXPECT_EQ(running.at("state").as_string(), "processing");  // in_progress reads as processing too
  EXPECT_DOUBLE_EQ(running.at("progress").to_number<double>(), 45.5);
  EXPECT_NE(status_task("Flux1schnell", task_id).body.find("\"progress\":45.5"), std::string::npos)
      << "progress in plain decimal";
  EXPECT_FALSE(running.contains("resultJson"));

  ASSERT_EQ(worker.finish(*job).status, 200);
  const auto done = task_data("Flux1schnell", task_id);
  EXPECT_EQ(keys_of(done), (std::set<std::string>{"taskId", "state", "resultJson", "costTime", "progress"}))
      << boost::json::serialize(done);
  EXPECT_EQ(done.at("state").as_string(), "success");
  EXPECT_TRUE(done.at("costTime").is_int64()) << boost::json::serialize(done);
  EXPECT_GE(done.at("costTime").as_int64(), 0);
  ASSERT_TRUE(done.at("resultJson").is_string()) << "resultJson must be a JSON string";
  const auto result = boost::json::parse(done.at("resultJson").as_string()).as_object();
  const auto& urls = result.at("resultUrls").as_array();
  ASSERT_EQ(urls.size(), 1u) << done.at("resultJson").as_string();
  const auto file = server().http().get(urls[0].as_string());
  ASSERT_EQ(file.status, 200) << file.describe();
  EXPECT_EQ(png_size(file.body), std::make_pair(320u, 256u));
}

TEST_F(TaskDialect, AFailedTaskCarriesFailMsg) {
  const std::string task_id = generate_image();
  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(request_id_of_task(task_id), kJobDeadline);
  ASSERT_TRUE(job);
  ASSERT_EQ(worker.fail(*job, "CUDA out of memory", false).status, 200);
  const auto failed = task_data("Flux1schnell", task_id);
  EXPECT_EQ(failed.at("state").as_string(), "failed");
  EXPECT_EQ(failed.at("failMsg").as_string(), "CUDA out of memory");
  EXPECT_FALSE(failed.contains("resultJson"));
}

TEST_F(TaskDialect, TextTasksPutTheTextInsideResultJson) {
  const auto answer = generate("Nanonets_Ocr_S_F16", boost::json::object{
      {"request_type", "async"},
      {"input", {{"mode", "image-to-text"},
                 {"image", "data:image/png;base64," + crypto::base64_encode(make_png(64, 48))}}}});
  ASSERT_EQ(answer.status, 200) << answer.describe();
  const std::string task_id(answer.json().at("data").at("taskId").as_string());
  finish_by_hand(request_id_of_task(task_id));
  const auto done = task_data("Nanonets_Ocr_S_F16", task_id);
  ASSERT_EQ(done.at("state").as_string(), "success");
  const auto result = boost::json::parse(done.at("resultJson").as_string()).as_object();
  EXPECT_EQ(result.at("result").as_string(), "manual transcript");
  EXPECT_TRUE(result.at("resultUrls").is_array());
}

TEST_F(TaskDialect, OneJobTwoViews) {
  // A client-API job read as a task...
  const std::string request_id = submit(requests().minimal("txt2img"));
  const std::string model = requests().minimal("txt2img").model;
  EXPECT_EQ(task_data(model, "task_" + request_id).at("state").as_string(), "pending");
  // ...and a task read through request-status, by request_id and by taskId.
  const std::string task_id = generate_image();
  const auto by_id = status_of(request_id_of_task(task_id));
  ASSERT_TRUE(by_id);
  EXPECT_EQ(field(*by_id, "status"), "pending");
  EXPECT_EQ(field(*by_id, "model"), "Flux1schnell");
  EXPECT_EQ(field(*by_id, "task"), "txt2img");
  const auto by_task_id = status_of(task_id);
  ASSERT_TRUE(by_task_id);
  EXPECT_EQ(field(*by_task_id, "request_id"), request_id_of_task(task_id));
}

TEST_F(TaskDialect, ModelAliasesAndCatalogFieldNamesAreAccepted) {
  const std::string task_id =
      generate_image("flux-1-schnell", {{"num_inference_steps", 3}, {"guidance_scale", 2.5}, {"seed", 7}});
  EXPECT_EQ(task_data("Flux1schnell", task_id).at("state").as_string(), "pending");
  EXPECT_EQ(task_data("flux-1-schnell", task_id).at("state").as_string(), "pending");
  const auto job = manual_worker().claim_job(request_id_of_task(task_id), kJobDeadline);
  ASSERT_TRUE(job);
  const auto& params = job->raw.at("params").as_object();
  EXPECT_EQ(params.at("steps").to_number<std::int64_t>(), 3);
  EXPECT_DOUBLE_EQ(params.at("guidance").to_number<double>(), 2.5);
  EXPECT_EQ(params.at("seed").to_number<std::int64_t>(), 7);
}

TEST_F(TaskDialect, FileInputsComeAsDataUrls) {
  const std::string png = make_png(96, 64);
  const auto answer = generate("QwenImageEdit_Plus_NF4", boost::json::object{
      {"request_type", "async"},
      {"input", {{"mode", "image-to-image"}, {"prompt", "make it blue"},
                 {"image_url", "data:image/png;base64," + crypto::base64_encode(png)}}}});
  ASSERT_EQ(answer.status, 200) << answer.describe();
  const std::string task_id(answer.json().at("data").at("taskId").as_string());
  const auto job = manual_worker().claim_job(request_id_of_task(task_id), kJobDeadline);
  ASSERT_TRUE(job);
  const auto& inputs = job->raw.at("inputs").as_object();
  ASSERT_TRUE(inputs.contains("image")) << boost::json::serialize(job->raw);
  const auto download = server().http().get(inputs.at("image").as_string());
  ASSERT_EQ(download.status, 200) << download.describe();
  EXPECT_EQ(download.body, png);
}

TEST_F(TaskDialect, ErrorsUseTheEnvelope) {
  const boost::json::object image_input{{"mode", "text-to-image"}, {"prompt", "a cat"}};
  // Authentication.
  expect_envelope(server().http().post_json("/api/v1/generateTask/Flux1schnell",
                                            boost::json::object{{"input", image_input}}),
                  401, "Unauthenticated");
  expect_envelope(server().http().with_bearer("wrong").get("/api/v1/statusTask/Flux1schnell?taskId=task_x"), 401,
                  "Unauthenticated");
  // The model, the mode and the parameters.
  expect_envelope(generate("NoSuchModel", boost::json::object{{"input", image_input}}), 404, "NoSuchModel");
  expect_envelope(generate("Flux1schnell", boost::json::object{{"input", {{"mode", "text-to-video"}, {"prompt", "x"}}}}),
                  422, "text-to-video");
  expect_envelope(generate("Flux1schnell", boost::json::object{{"input", {{"mode", "painting"}, {"prompt", "x"}}}}),
                  422, "painting");
  expect_envelope(generate("Flux1schnell", boost::json::object{{"input", {{"prompt", "x"}}}}), 422, "mode");
  expect_envelope(generate("Flux1schnell", boost::json::object{{"request_type", "async"}}), 422, "input");
  expect_envelope(generate("Flux1schnell",
                           boost::json::object{{"input", {{"mode", "text-to-image"}, {"prompt", "x"}, {"width", 99999}}}}),
                  422, "width");
  expect_envelope(generate("Flux1schnell", boost::json::object{{"input", {{"mode", "text-to-image"}}}}), 422, "prompt");
  expect_envelope(generate("Flux1schnell",
                           boost::json::object{{"input", {{"mode", "text-to-image"}, {"prompt", "x"}, {"colour", 1}}}}),
                  422, "colour");
  expect_envelope(generate("QwenImageEdit_Plus_NF4",
                           boost::json::object{{"input", {{"mode", "image-to-image"}, {"prompt", "x"},
                                                          {"image_url", "https://example.com/cat.png"}}}}),
                  422, "image_url");
  // request_type and callback_url.
  expect_envelope(generate("Flux1schnell", boost::json::object{{"request_type", "sync"}, {"input", image_input}}), 422,
                  "request_type");
  expect_envelope(generate("Flux1schnell", boost::json::object{{"request_type", "callback"}, {"input", image_input}}),
                  422, "callback_url");
  expect_envelope(generate("Flux1schnell", boost::json::object{{"request_type", "callback"},
                                                               {"callback_url", "https://127.0.0.1/hook"},
                                                               {"input", image_input}}),
                  422, "callback");
  expect_envelope(generate("Flux1schnell", boost::json::object{{"request_type", "async"},
                                                               {"callback_url", "https://example.com/hook"},
                                                               {"input", image_input}}),
                  422, "callback_url");
  expect_envelope(generate("Flux1schnell", boost::json::object{{"input", image_input}, {"priority", 1}}), 422,
                  "priority");
  expect_envelope(api().request("POST", "/api/v1/generateTask/Flux1schnell", "{not json", "application/json"), 400,
                  "JSON");
  // statusTask.
  expect_envelope(api().get("/api/v1/statusTask/Flux1schnell"), 422, "taskId");
  expect_envelope(status_task("Flux1schnell", "task_00000000-0000-4000-8000-000000000000"), 404, "not found");
  expect_envelope(status_task("NoSuchModel", "task_x"), 404, "NoSuchModel");
  const std::string task_id = generate_image();
  expect_envelope(status_task("ZImageTurbo_INT8", task_id), 422, "Flux1schnell");
  // Another client's task does not exist for this one.
  const auto other = server().create_client("other");
  expect_envelope(server().client_http(other).get("/api/v1/statusTask/Flux1schnell?taskId=" + task_id), 404,
                  "not found");
}

TEST_F(TaskDialect, IdempotencyKeyReturnsTheSameTask) {
  const boost::json::object body{{"request_type", "async"}, {"input", {{"mode", "text-to-image"}, {"prompt", "a"}}}};
  const Headers key{{"Idempotency-Key", "order-42"}};
  const auto first = api().post_json("/api/v1/generateTask/Flux1schnell", body, key);
  const auto again = api().post_json("/api/v1/generateTask/Flux1schnell", body, key);
  ASSERT_EQ(first.status, 200) << first.describe();
  ASSERT_EQ(again.status, 200) << again.describe();
  EXPECT_EQ(first.json().at("data").at("taskId"), again.json().at("data").at("taskId"));
  const boost::json::object changed{{"request_type", "async"}, {"input", {{"mode", "text-to-image"}, {"prompt", "b"}}}};
  expect_envelope(api().post_json("/api/v1/generateTask/Flux1schnell", changed, key), 409, "");
}

}  // namespace
}  // namespace genq::testing
