// Catalog::validate for multipart requests: file fields, and form values that
// arrive as text.
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

const std::vector<std::string> kFormReserved{"webhook_url"};

std::expected<ValidatedRequest, FieldErrors> check(std::string_view task, std::string_view json_body,
                                                   const std::vector<std::string>& files,
                                                   bool from_form = false) {
  return shipped_catalog().validate(task, body(json_body), kFormReserved, files, from_form);
}

TEST(CatalogFiles, Img2imgRequiresTheImage) {
  auto r = check("img2img", R"({"model":"QwenImageEdit_Plus_NF4","prompt":"make it blue"})", {});
  ASSERT_FALSE(r);
  // This model also takes several images (images[]), so either will do.
  EXPECT_EQ(r.error().first(), "The image field is required when images is not present.");
}

TEST(CatalogFiles, PresentFileIsListedAndKeptOutOfParams) {
  auto r = check("img2img", R"({"model":"QwenImageEdit_Plus_NF4","prompt":"make it blue"})", {"image"});
  ASSERT_TRUE(r) << r.error().first();
  EXPECT_EQ(r->file_fields, std::vector<std::string>{"image"});
  EXPECT_FALSE(r->params.contains("image"));
  EXPECT_FALSE(r->params.contains("width")) << "img2img keeps the input size unless asked";
  EXPECT_EQ(r->params.at("steps").as_int64(), 40);
}

TEST(CatalogFiles, MultiTaskModelTakesTheImageOnlyWhereTheTaskDoes) {
  auto edit = check("img2img", R"({"model":"Flux_2_Klein_4B_BF16","prompt":"x"})", {"image"});
  ASSERT_TRUE(edit) << edit.error().first();
  EXPECT_EQ(edit->file_fields, std::vector<std::string>{"image"});

  auto gen = check("txt2img", R"({"model":"Flux_2_Klein_4B_BF16","prompt":"x"})", {});
  ASSERT_TRUE(gen) << gen.error().first();
  EXPECT_TRUE(gen->file_fields.empty());

  auto refused = check("txt2img", R"({"model":"Flux_2_Klein_4B_BF16","prompt":"x"})", {"image"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().first(), "The image field is not supported.");
}

TEST(CatalogFiles, Img2videoTakesAnImageAndTxt2videoDoesNot) {
  auto r = check("img2video", R"({"model":"Ltxv_13B_0_9_8_Distilled_FP8","prompt":"waves"})", {"image"});
  ASSERT_TRUE(r) << r.error().first();
  EXPECT_EQ(r->params.at("frames").as_int64(), 120);
  EXPECT_EQ(r->params.at("fps").as_int64(), 30);

  auto missing = check("img2video", R"({"model":"Ltxv_13B_0_9_8_Distilled_FP8","prompt":"waves"})", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().first(), "The image field is required.");
}

TEST(CatalogFiles, ImageSentAsJsonTextMustBeAFile) {
  auto r = check("img-rmbg", R"({"model":"Ben2","image":"https://example.com/cat.png"})", {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().first(), "The image field must be a file.");
}

TEST(CatalogFiles, TranscribeTakesAudioOrVideo) {
  auto neither = check("transcribe", R"({"model":"WhisperLargeV3"})", {});
  ASSERT_FALSE(neither);
  ASSERT_EQ(neither.error().fields.size(), 2u);
  EXPECT_EQ(neither.error().first(), "The audio field is required when video is not present.");
  EXPECT_EQ(neither.error().fields[1].second.front(),
            "The video field is required when audio is not present.");

  auto audio = check("transcribe", R"({"model":"WhisperLargeV3"})", {"audio"});
  ASSERT_TRUE(audio) << audio.error().first();
  EXPECT_EQ(audio->file_fields, std::vector<std::string>{"audio"});
  EXPECT_EQ(audio->params.at("include_ts"), false);

  auto video = check("transcribe", R"({"model":"WhisperLargeV3","include_ts":true})", {"video"});
  ASSERT_TRUE(video) << video.error().first();
  EXPECT_EQ(video->file_fields, std::vector<std::string>{"video"});
}

TEST(CatalogFiles, OlderTranscriptionTasksTakeTheirOneFile) {
  auto aud = check("aud2txt", R"({"model":"WhisperLargeV3"})", {});
  ASSERT_FALSE(aud);
  EXPECT_EQ(aud.error().first(), "The audio field is required.");

  auto vid = check("vid2txt", R"({"model":"WhisperLargeV3"})", {"audio"});
  ASSERT_FALSE(vid);
  EXPECT_EQ(vid.error().fields.front().first, "video");
  EXPECT_EQ(vid.error().fields.back().second.front(), "The audio field is not supported.");
}

TEST(CatalogFiles, UnexpectedFileIsNotSupported) {
  auto r = check("txt2img", R"({"model":"Flux1schnell","prompt":"x"})", {"mask"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().first(), "The mask field is not supported.");
}

TEST(CatalogFiles, ValueFieldUploadedAsFileIsATypeError) {
  auto r = check("txt2img", R"({"model":"Flux1schnell","prompt":"x"})", {"negative_prompt"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().first(), "The negative prompt field must be a string.");
}

TEST(CatalogForm, NumbersAndIntegersAreParsedFromText) {
  auto r = check(
      "txt2img",
      R"({"model":"Flux1schnell","prompt":"x","width":"512","height":" 640 ","guidance":"2.5","steps":"+3","seed":"-1"})",
      {}, true);
  ASSERT_TRUE(r) << r.error().first();
  EXPECT_EQ(r->params.at("width").as_int64(), 512);
  EXPECT_EQ(r->params.at("height").as_int64(), 640);
  EXPECT_DOUBLE_EQ(r->params.at("guidance").as_double(), 2.5);
  EXPECT_EQ(r->params.at("steps").as_int64(), 3);
  EXPECT_EQ(r->params.at("seed").as_int64(), -1);
}

TEST(CatalogForm, TextThatIsNotANumberIsATypeError) {
  auto r = check("txt2img",
                 R"({"model":"Flux1schnell","prompt":"x","width":"wide","steps":"4abc","guidance":"nan"})",
                 {}, true);
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().fields.size(), 3u);
  EXPECT_EQ(r.error().fields[0].second.front(), "The width field must be an integer.");
  EXPECT_EQ(r.error().fields[1].second.front(), "The guidance field must be a number.");
  EXPECT_EQ(r.error().fields[2].second.front(), "The steps field must be an integer.");
}

TEST(CatalogForm, ParsedValuesAreStillBoundsChecked) {
  auto r = check("txt2img", R"({"model":"Flux1schnell","prompt":"x","width":"4096"})", {}, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().first(), "The width field must be between 256 and 2048.");
}

TEST(CatalogForm, BooleansAcceptTrueFalseOneAndZero) {
  const std::pair<const char*, bool> cases[] = {{"true", true}, {"1", true}, {"false", false}, {"0", false}};
  for (const auto& [text, expected] : cases) {
    json::object b = body(R"({"model":"WhisperLargeV3"})");
    b["include_ts"] = text;
    auto r = shipped_catalog().validate("transcribe", b, kFormReserved, {"audio"}, true);
    ASSERT_TRUE(r) << text;
    EXPECT_EQ(r->params.at("include_ts").as_bool(), expected) << text;
  }
  auto bad = check("transcribe", R"({"model":"WhisperLargeV3","include_ts":"yes"})", {"audio"}, true);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().first(), "The include ts field must be true or false.");
}

TEST(CatalogForm, EmptyValueCountsAsAbsent) {
  auto r =
      check("txt2img", R"({"model":"Flux1schnell","prompt":"x","width":"","negative_prompt":""})", {}, true);
  ASSERT_TRUE(r) << r.error().first();
  EXPECT_EQ(r->params.at("width").as_int64(), 1024);
  EXPECT_FALSE(r->params.contains("negative_prompt"));
}

TEST(CatalogForm, IntegerEnumMatchesItsText) {
  auto r = check("vid-upscale", R"({"model":"RealESRGAN_Vid_x4","scale":"2"})", {"video"}, true);
  ASSERT_TRUE(r) << r.error().first();
  EXPECT_EQ(r->params.at("scale").as_int64(), 2);
}

TEST(CatalogForm, InvalidUtf8IsRefused) {
  json::object b = body(R"({"model":"Kokoro"})");
  b["text"] = std::string("caf\xC3", 4);  // truncated two-byte sequence
  auto r = shipped_catalog().validate("txt2audio", b, kFormReserved, {}, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().first(), "The text field must be a valid UTF-8 string.");

  for (const std::string& bad :
       {std::string("\xC0\xAF"), std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80")}) {
    b["text"] = bad;  // overlong '/', a UTF-16 surrogate, past U+10FFFF
    EXPECT_FALSE(shipped_catalog().validate("txt2audio", b, kFormReserved, {}, true))
        << "accepted a bad sequence";
  }
  b["text"] = "\xF0\x9F\x8E\xB5 la la";  // a four-byte emoji is fine
  EXPECT_TRUE(shipped_catalog().validate("txt2audio", b, kFormReserved, {}, true));
}

}  // namespace
}  // namespace genq::catalog
