// Catalog::validate for what deAPI's official SDK sends: price-only bodies, loras,
// several files in one field (images[]), fields required only in one mode
// (required_if), and the price they come to.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "genq/catalog/catalog.hpp"
#include "unit/catalog/shipped_catalog.hpp"

namespace genq::catalog {
namespace {

using fixtures::body;
using fixtures::shipped_catalog;
namespace json = boost::json;

std::expected<ValidatedRequest, FieldErrors> check_sdk(std::string_view task, std::string_view json_body,
                                                   const std::vector<std::string>& files = {},
                                                   ValidationMode mode = ValidationMode::Submit,
                                                   bool from_form = false) {
  return shipped_catalog().validate(task, body(json_body), {}, files, from_form, mode);
}

std::vector<std::string> error_fields(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& [field, problems] : errors.fields) out.push_back(field);
  return out;
}

TEST(CatalogSdk, PriceModeRequiresOnlyTheModel) {
  auto r = check_sdk("img2img", R"({"model":"QwenImageEdit_Plus_NF4","steps":20})", {}, ValidationMode::Price);
  ASSERT_TRUE(r) << r.error().first();
  EXPECT_TRUE(r->file_fields.empty());
  auto submit = check_sdk("img2img", R"({"model":"QwenImageEdit_Plus_NF4","steps":20})");
  ASSERT_FALSE(submit);
  EXPECT_EQ(error_fields(submit.error()), (std::vector<std::string>{"image", "prompt"}));
  auto no_model = check_sdk("txt2img", R"({"prompt":"x"})", {}, ValidationMode::Price);
  ASSERT_FALSE(no_model);
  EXPECT_EQ(no_model.error().first(), "The model field is required.");
}

TEST(CatalogSdk, PriceOnlyFieldsStandInForTextFilesAndDuration) {
  const Catalog& c = shipped_catalog();
  auto tts = check_sdk("txt2audio", R"({"model":"Kokoro","count_text":1000})", {}, ValidationMode::Price);
  ASSERT_TRUE(tts) << tts.error().first();
  EXPECT_FALSE(tts->params.contains("count_text")) << "price-only fields never reach a job";
  EXPECT_EQ(tts->price_inputs.at("count_text").as_int64(), 1000);
  EXPECT_NEAR(c.price(*tts), 0.0002 + 0.004, 1e-12);

  auto text_wins = check_sdk("txt2audio", R"({"model":"Kokoro","text":"abcd","count_text":1000})", {},
                         ValidationMode::Price);
  ASSERT_TRUE(text_wins);
  EXPECT_NEAR(c.price(*text_wins), 0.0002 + 0.004 * 4 / 1000, 1e-12);

  auto video = check_sdk("img2video", R"({"model":"Ltxv_13B_0_9_8_Distilled_FP8","frames":90,"fps":30})", {},
                     ValidationMode::Price);
  ASSERT_TRUE(video) << video.error().first();
  EXPECT_NEAR(c.price(*video), 0.002 + 0.004 * 3, 1e-12);

  auto replace = check_sdk("vid-replace", R"({"model":"Wan2_2_Animate_Replace","duration":"10"})", {},
                       ValidationMode::Price, true);
  ASSERT_TRUE(replace) << replace.error().first();
  EXPECT_NEAR(c.price(*replace), 0.005 + 0.01 * 10, 1e-12);

  auto upscale = check_sdk("img-upscale", R"({"model":"RealESRGAN_x4","width":4000,"height":3000})", {},
                       ValidationMode::Price);
  ASSERT_TRUE(upscale) << upscale.error().first();
  EXPECT_EQ(upscale->price_inputs.at("width").as_int64(), 4000);

  auto transcript = check_sdk("transcribe", R"({"model":"WhisperLargeV3","include_ts":true,"duration_seconds":61.5})",
                          {}, ValidationMode::Price);
  ASSERT_TRUE(transcript) << transcript.error().first();
}

TEST(CatalogSdk, PriceOnlyFieldsAreCheckedAndRefusedOnSubmit) {
  auto negative = check_sdk("txt2audio", R"({"model":"Kokoro","count_text":-3})", {}, ValidationMode::Price);
  ASSERT_FALSE(negative);
  EXPECT_EQ(negative.error().first(), "The count text field must be at least 0.");
  auto text = check_sdk("txt2audio", R"({"model":"Kokoro","duration_seconds":"long"})", {}, ValidationMode::Price);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().first(), "The duration seconds field must be a number.");
  auto submit = check_sdk("txt2audio", R"({"model":"Kokoro","text":"hi","count_text":2})");
  ASSERT_FALSE(submit);
  EXPECT_EQ(submit.error().first(), "The count text field is not supported.");
  // A model's own parameter of that name keeps its bounds.
  auto bounded = check_sdk("txt2img", R"({"model":"Flux1schnell","width":5000})", {}, ValidationMode::Price);
  ASSERT_FALSE(bounded);
  EXPECT_EQ(error_fields(bounded.error()), std::vector<std::string>{"width"});
}

TEST(CatalogSdk, LorasAreNamedWeightsTheModelKnows) {
  auto r = check_sdk("txt2img",
                 R"({"model":"Flux1schnell","prompt":"p","loras":[{"name":"flux-anime","weight":0.5}]})");
  ASSERT_TRUE(r) << r.error().first();
  EXPECT_EQ(r->params.at("loras"), json::parse(R"([{"name":"flux-anime","weight":0.5}])"));

  auto unknown = check_sdk("txt2img", R"({"model":"Flux1schnell","prompt":"p","loras":[{"name":"x","weight":1}]})");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().first(), "The selected loras.0.name is invalid.");
  auto heavy = check_sdk("txt2img", R"({"model":"Flux1schnell","prompt":"p","loras":[{"name":"flux-anime","weight":3}]})");
  ASSERT_FALSE(heavy);
  EXPECT_EQ(heavy.error().first(), "The loras weight field must be between 0 and 2.");
  auto shape = check_sdk("txt2img", R"({"model":"Flux1schnell","prompt":"p","loras":["flux-anime"]})");
  ASSERT_FALSE(shape);
  EXPECT_EQ(shape.error().first(), "The loras field must be a list of objects with a name and a weight.");
  auto form = shipped_catalog().validate(
      "txt2img", body(R"({"model":"Flux1schnell","prompt":"p","loras":[{"name":"flux-anime","weight":"0.25"}]})"), {},
      {}, true);
  ASSERT_TRUE(form) << form.error().first();
  EXPECT_EQ(form->params.at("loras").at(0).at("weight").as_double(), 0.25);
  auto other_model = check_sdk("txt2img", R"({"model":"ZImageTurbo_INT8","prompt":"p","loras":[]})");
  ASSERT_FALSE(other_model);
  EXPECT_EQ(other_model.error().first(), "The loras field is not supported.");
}

TEST(CatalogSdk, SeveralImagesUpToTheModelsLimit) {
  const std::string edit = R"({"model":"QwenImageEdit_Plus_NF4","prompt":"merge"})";
  auto two = check_sdk("img2img", edit, {"images", "images"});
  ASSERT_TRUE(two) << two.error().first();
  EXPECT_EQ(two->file_fields, std::vector<std::string>{"images"});
  auto four = check_sdk("img2img", edit, {"images", "images", "images", "images"});
  ASSERT_FALSE(four);
  EXPECT_EQ(four.error().first(), "The images field must not have more than 3 files.");
  auto two_singles = check_sdk("img2img", edit, {"image", "image"});
  ASSERT_FALSE(two_singles);
  EXPECT_EQ(two_singles.error().first(), "The image field must be a single file.");
  auto klein = check_sdk("img2img", R"({"model":"Flux_2_Klein_4B_BF16","prompt":"p"})", {"images"});
  ASSERT_FALSE(klein);
  EXPECT_NE(std::find(error_fields(klein.error()).begin(), error_fields(klein.error()).end(), "images"),
            error_fields(klein.error()).end());
}

TEST(CatalogSdk, VoiceCloningNeedsTheReferenceAudioOnlyWhenCloning) {
  const std::string base = R"("model":"Qwen3_TTS_1_7B","text":"hi","lang":"en","format":"wav","sample_rate":24000)";
  auto clone = check_sdk("txt2audio", "{" + base + R"(,"mode":"voice_clone","ref_text":"ref"})", {"ref_audio"});
  ASSERT_TRUE(clone) << clone.error().first();
  EXPECT_EQ(clone->file_fields, std::vector<std::string>{"ref_audio"});
  auto missing = check_sdk("txt2audio", "{" + base + R"(,"mode":"voice_clone"})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().first(), "The ref audio field is required when mode is voice_clone.");
  auto preset_default = check_sdk("txt2audio", "{" + base + "}");
  ASSERT_FALSE(preset_default) << "mode defaults to custom_voice, which needs a voice";
  EXPECT_EQ(preset_default.error().first(), "The voice field is required when mode is custom_voice.");
  auto preset = check_sdk("txt2audio", "{" + base + R"(,"voice":"ryan"})");
  ASSERT_TRUE(preset) << preset.error().first();
  auto kokoro = check_sdk("txt2audio", R"({"model":"Kokoro","text":"hi"})", {"ref_audio"});
  ASSERT_FALSE(kokoro) << "Kokoro does not clone voices";
  EXPECT_EQ(kokoro.error().first(), "The ref audio field is not supported.");
}

TEST(CatalogSdk, EmbeddingInputMayBeABatch) {
  const Catalog& c = shipped_catalog();
  auto batch = check_sdk("txt2embedding", R"({"model":"Bge_M3_FP16","input":["abc","de"]})");
  ASSERT_TRUE(batch) << batch.error().first();
  EXPECT_EQ(batch->params.at("input"), (json::array{"abc", "de"}));
  auto single = check_sdk("txt2embedding", R"({"model":"Bge_M3_FP16","input":"abcde"})");
  ASSERT_TRUE(single);
  EXPECT_NEAR(c.price(*batch), c.price(*single), 1e-12) << "priced by the characters of every text";
  auto empty = check_sdk("txt2embedding", R"({"model":"Bge_M3_FP16","input":[]})");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().first(), "The input field must have between 1 and 64 items.");
  auto blank = check_sdk("txt2embedding", R"({"model":"Bge_M3_FP16","input":["a",""]})");
  ASSERT_FALSE(blank);
  EXPECT_EQ(blank.error().first(), "The input field must be between 1 and 32768 characters.");
  auto numbers = check_sdk("txt2embedding", R"({"model":"Bge_M3_FP16","input":[1,2]})");
  ASSERT_FALSE(numbers);
  EXPECT_EQ(numbers.error().first(), "The input field must be a string or a list of strings.");
  auto prompt_list = check_sdk("txt2img", R"({"model":"Flux1schnell","prompt":["a","b"]})");
  ASSERT_FALSE(prompt_list) << "only parameters with max_items take lists";
  EXPECT_EQ(prompt_list.error().first(), "The prompt field must be a string.");
}

TEST(CatalogSdk, NewTasksHaveModels) {
  const Catalog& c = shipped_catalog();
  for (const char* task : {"audiofile2txt", "videofile2txt", "aud2video", "vid-replace", "prompt-image",
                           "prompt-video", "prompt-speech", "prompt-image2image", "prompt-samples"}) {
    ASSERT_NE(c.find_task(task), nullptr) << task;
    const ModelSpec* model = c.default_model(task);
    ASSERT_NE(model, nullptr) << task;
    EXPECT_EQ(model->backend.at("type"), "synthetic") << task;
  }
  auto file = check_sdk("audiofile2txt", R"({"model":"WhisperLargeV3","include_ts":false})");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().first(), "The audio field is required.");
  auto video = check_sdk("videofile2txt", R"({"model":"WhisperLargeV3"})", {"audio"});
  ASSERT_FALSE(video) << "videofile2txt takes the video only";
}

TEST(CatalogSdk, DescribeListsLorasAndFileLimits) {
  const Catalog& c = shipped_catalog();
  const json::object flux = c.describe(*c.find_model("Flux1schnell"));
  ASSERT_TRUE(flux.contains("loras"));
  EXPECT_EQ(flux.at("loras").at(0).at("name"), "flux-realism");
  const json::object qwen = c.describe(*c.find_model("QwenImageEdit_Plus_NF4"));
  EXPECT_EQ(qwen.at("parameters").at(1).at("name"), "images");
  EXPECT_EQ(qwen.at("parameters").at(1).at("max_files"), 3);
  const json::object tts = c.describe(*c.find_model("Qwen3_TTS_1_7B"));
  EXPECT_EQ(tts.at("parameters").at(3).at("required_if"), (json::array{"mode", "voice_clone"}));
  EXPECT_TRUE(tts.at("info").at("defaults").as_object().contains("mode"));
  EXPECT_FALSE(c.describe(*c.find_model("Kokoro")).contains("loras"));
}

}  // namespace
}  // namespace genq::catalog
