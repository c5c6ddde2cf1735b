// The client-API routes deAPI's SDK calls that are not /{task} (docs/api.md, "deAPI
// SDK compatibility"): the prompt helpers, answered with the job's text, and
// videos/replace; and the SDK's field spellings on img2video and transcribe. The
// Node suite (tests/js/deapi_sdk*.test.mjs) sends every SDK call; these hold the
// core of it where Node is not installed.
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class SdkRoutes : public GenqTest {
 protected:
  std::string input(const std::string& name, std::string_view bytes) const {
    const std::string path = scratch().file(name);
    write_file(path, bytes);
    return path;
  }
};

TEST_F(SdkRoutes, PromptHelpersAnswerTheTextOnceTheirJobIsDone) {
  auto worker = server().start_worker({"--step-delay-ms", "5"});
  const auto image = api().post_json("/api/v1/client/prompt/image",
                                     boost::json::object{{"prompt", "a red fox"}, {"negative_prompt", nullptr}});
  ASSERT_EQ(image.status, 200) << image.describe();
  const auto body = image.json();
  EXPECT_TRUE(text_at(body, "/data/prompt").starts_with("a red fox, ")) << image.describe();
  const auto* negative = json_at(body, "/data/negative_prompt");
  ASSERT_NE(negative, nullptr) << "EnhancePromptResult has negative_prompt";
  EXPECT_TRUE(negative->is_null());

  const auto speech = api().post_json("/api/v1/client/prompt/speech",
                                      boost::json::object{{"prompt", "good evening"}, {"lang_code", "en"}});
  ASSERT_EQ(speech.status, 200) << speech.describe();
  EXPECT_EQ(speech.json().at("data").as_object().size(), 1u) << "EnhanceSpeechPromptResult is {prompt}";

  const auto sample = api().get("/api/v1/client/prompts/samples?type=image&topic=lighthouses");
  ASSERT_EQ(sample.status, 200) << sample.describe();
  EXPECT_EQ(text_at(sample.json(), "/data/type"), "image");
  EXPECT_NE(text_at(sample.json(), "/data/prompt").find("lighthouses"), std::string::npos) << sample.describe();

  const auto price = api().post_json("/api/v1/client/prompt/image/price-calculation",
                                     boost::json::object{{"prompt", "a red fox"}, {"negative_prompt", nullptr}});
  ASSERT_EQ(price.status, 200) << price.describe();
  EXPECT_TRUE(json_at(price.json(), "/data/price")->is_number());
  EXPECT_EQ(api().post_json("/api/v1/client/prompt/smell", boost::json::object{{"prompt", "x"}}).status, 404);
}

TEST_F(SdkRoutes, VideosReplaceRunsAndIsPricedAtTheSdksPath) {
  auto worker = server().start_worker({"--step-delay-ms", "5"});
  MultipartBody body;
  body.fields = {{"model", "Wan2_2_Animate_Replace"}, {"width", "256"}, {"height", "256"}, {"steps", "2"}};
  const std::filesystem::path clip = scratch().path() / "clip.mp4";
  write_mp4(clip);  // workers decode their inputs: a real clip
  body.files = {{"video", clip.string(), "video/mp4", {}},
                {"ref_image", input("ref.png", make_png(32, 32)), "image/png", {}}};
  const auto submitted = api().post_multipart("/api/v1/client/videos/replace", body);
  const std::string id = request_id_of(submitted);
  const auto done = poll_status(api(), id, is_final(), kJobDeadline);
  ASSERT_TRUE(done);
  EXPECT_EQ(field(*done, "status"), "done");
  EXPECT_EQ(field(*done, "task"), "vid-replace");

  MultipartBody price;
  price.fields = {{"model", "Wan2_2_Animate_Replace"}, {"duration", "10"}};
  const auto priced = api().post_multipart("/api/v1/client/videos/replace/price", price);
  ASSERT_EQ(priced.status, 200) << priced.describe();
  EXPECT_NEAR(json_at(priced.json(), "/data/price")->to_number<double>(), 0.005 + 0.01 * 10, 1e-9);
}

TEST_F(SdkRoutes, SdkFileNamesAreTheCatalogsInputs) {
  auto worker = server().start_worker({"--step-delay-ms", "5"});
  MultipartBody animate;
  animate.fields = {{"model", "Ltxv_13B_0_9_8_Distilled_FP8"}, {"prompt", "run"}, {"seed", "3"},
                    {"width", "256"}, {"height", "256"}, {"frames", "30"}, {"fps", "30"}};
  animate.files = {{"first_frame_image", input("first.png", make_png(32, 32)), "image/png", {}}};
  const std::string video = request_id_of(api().post_multipart("/api/v1/client/img2video", animate));

  const std::string wav = make_wav(0.1);
  MultipartBody transcribe;
  transcribe.fields = {{"model", "WhisperLargeV3"}, {"include_ts", "1"}, {"return_result_in_response", "1"}};
  transcribe.files = {{"source_file", input("talk.wav", wav), "audio/wav", {}}};
  const std::string transcript = request_id_of(api().post_multipart("/api/v1/client/transcribe", transcribe));

  for (const std::string& id : {video, transcript}) {
    const auto done = poll_status(api(), id, is_final(), kJobDeadline);
    ASSERT_TRUE(done) << id;
    EXPECT_EQ(field(*done, "status"), "done") << boost::json::serialize(*done);
  }
  const auto status = status_of(transcript);
  ASSERT_TRUE(status);
  EXPECT_TRUE(field(*status, "result").starts_with("Synthetic transcript of " + std::to_string(wav.size())))
      << "the source_file was stored as the audio input: " << field(*status, "result");
}

}  // namespace
}  // namespace genq::testing
