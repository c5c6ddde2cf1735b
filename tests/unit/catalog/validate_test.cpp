// Catalog::validate against the shipped catalog: the rules of SPEC §3 and the
// Laravel-worded messages a deAPI client sees in a 422.
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

const std::vector<std::string> kReserved{"webhook_url", "return_result_in_response"};
const std::vector<std::string> kNoFiles;

std::vector<std::string> problems(const FieldErrors& errors, std::string_view field) {
  for (const auto& [name, list] : errors.fields) {
    if (name == field) {
      return list;
    }
  }
  return {};
}

std::vector<std::string> field_names(const FieldErrors& errors) {
  std::vector<std::string> out;
  for (const auto& entry : errors.fields) {
    out.push_back(entry.first);
  }
  return out;
}

FieldErrors errors_of(std::string_view task, std::string_view json_body,
                      const std::vector<std::string>& files = kNoFiles, bool from_form = false) {
  auto r = shipped_catalog().validate(task, body(json_body), kReserved, files, from_form);
  EXPECT_FALSE(r.has_value()) << "expected a validation failure for " << json_body;
  return r ? FieldErrors{} : r.error();
}

ValidatedRequest valid(std::string_view task, std::string_view json_body,
                       const std::vector<std::string>& files = kNoFiles, bool from_form = false) {
  auto r = shipped_catalog().validate(task, body(json_body), kReserved, files, from_form);
  if (!r) {
    ADD_FAILURE() << "rejected " << json_body << ": " << r.error().first();
    return {};
  }
  return *r;
}

TEST(CatalogValidate, MinimalTxt2imgGetsEveryDefault) {
  auto r = valid("txt2img", R"({"model":"Flux1schnell","prompt":"a red fox"})");
  ASSERT_NE(r.model, nullptr);
  EXPECT_EQ(r.model->name, "Flux1schnell");
  ASSERT_NE(r.task, nullptr);
  EXPECT_EQ(r.task->name, "txt2img");
  EXPECT_EQ(r.params.at("prompt"), "a red fox");
  EXPECT_EQ(r.params.at("width").as_int64(), 1024);
  EXPECT_EQ(r.params.at("height").as_int64(), 768);
  EXPECT_DOUBLE_EQ(r.params.at("guidance").as_double(), 3.5);
  EXPECT_EQ(r.params.at("steps").as_int64(), 4);
  EXPECT_EQ(r.params.at("seed").as_int64(), -1);
  EXPECT_FALSE(r.params.contains("negative_prompt")) << "no default, so absent";
  EXPECT_TRUE(r.file_fields.empty());
}

TEST(CatalogValidate, DeapiQuickstartBodyIsAccepted) {
  auto r = valid("txt2img", R"({"prompt":"a beautiful sunset over mountains","model":"Flux1schnell",
      "width":1024,"height":768,"guidance":3.5,"steps":4,"seed":-1,
      "webhook_url":"https://your-server.com/webhooks/deapi"})");
  EXPECT_FALSE(r.params.contains("webhook_url")) << "reserved fields are the caller's";
  EXPECT_EQ(r.params.at("seed").as_int64(), -1) << "the server resolves -1 later";
}

TEST(CatalogValidate, MissingPromptIsRequired) {
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell"})");
  EXPECT_EQ(e.first(), "The prompt field is required.");
  EXPECT_EQ(problems(e, "prompt"), std::vector<std::string>{"The prompt field is required."});
}

TEST(CatalogValidate, EmptyPromptCountsAsMissing) {
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":""})");
  EXPECT_EQ(e.first(), "The prompt field is required.");
}

TEST(CatalogValidate, MissingModelIsRequired) {
  auto e = errors_of("txt2img", R"({"prompt":"x"})");
  EXPECT_EQ(e.first(), "The model field is required.");
  EXPECT_EQ(field_names(e), std::vector<std::string>{"model"});
}

TEST(CatalogValidate, UnknownModelIsInvalid) {
  auto e = errors_of("txt2img", R"({"model":"Flux9","prompt":"x"})");
  EXPECT_EQ(problems(e, "model"), std::vector<std::string>{"The selected model is invalid."});
}

TEST(CatalogValidate, NonStringModelIsRefused) {
  auto e = errors_of("txt2img", R"({"model":7,"prompt":"x"})");
  EXPECT_EQ(e.first(), "The model field must be a string.");
}

TEST(CatalogValidate, ModelOfAnotherTaskIsRefused) {
  auto e = errors_of("txt2img", R"({"model":"Kokoro","prompt":"x"})");
  EXPECT_EQ(e.first(), "The selected model does not support Text To Image.");
}

TEST(CatalogValidate, ModelNamesAreCaseSensitive) {
  auto e = errors_of("txt2img", R"({"model":"FLUX1SCHNELL","prompt":"x"})");
  EXPECT_EQ(e.first(), "The selected model is invalid.");
}

TEST(CatalogValidate, SlugAndAliasNameTheSameModel) {
  for (const char* name : {"flux1schnell", "flux-1-schnell"}) {
    auto r = valid("txt2img", std::string(R"({"prompt":"x","model":")") + name + "\"}");
    ASSERT_NE(r.model, nullptr) << name;
    EXPECT_EQ(r.model->name, "Flux1schnell") << name;
  }
}

TEST(CatalogValidate, UnknownTaskIsReportedOnTask) {
  auto e = errors_of("txt2nothing", R"({"model":"Flux1schnell","prompt":"x"})");
  EXPECT_EQ(field_names(e), std::vector<std::string>{"task"});
}

TEST(CatalogValidate, WidthOutOfRangeNamesTheBounds) {
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":"x","width":128})");
  EXPECT_EQ(problems(e, "width"), std::vector<std::string>{"The width field must be between 256 and 2048."});
}

TEST(CatalogValidate, WidthOffTheResolutionStepIsRefused) {
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":"x","width":1001})");
  EXPECT_EQ(problems(e, "width"), std::vector<std::string>{"The width field must be a multiple of 8."});
}

TEST(CatalogValidate, WidthBothTooLargeAndOffStepGetsBothProblems) {
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":"x","width":2049})");
  EXPECT_EQ(problems(e, "width"), (std::vector<std::string>{"The width field must be between 256 and 2048.",
                                                            "The width field must be a multiple of 8."}));
}

TEST(CatalogValidate, FixedValueParameterStatesItsOnlyValue) {
  auto e = errors_of("txt2img", R"({"model":"Flux_2_Klein_4B_BF16","prompt":"x","steps":8})");
  EXPECT_EQ(e.first(), "The steps field must be between 4 and 4.");
}

TEST(CatalogValidate, IntegerRejectsFraction) {
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":"x","steps":2.5})");
  EXPECT_EQ(problems(e, "steps"), std::vector<std::string>{"The steps field must be an integer."});
}

TEST(CatalogValidate, IntegerAcceptsIntegralDouble) {
  auto r = valid("txt2img", R"({"model":"Flux1schnell","prompt":"x","width":512.0})");
  ASSERT_TRUE(r.params.at("width").is_int64());
  EXPECT_EQ(r.params.at("width").as_int64(), 512);
}

TEST(CatalogValidate, IntegerRejectsNumericStringInJson) {
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":"x","width":"512"})");
  EXPECT_EQ(e.first(), "The width field must be an integer.");
}

TEST(CatalogValidate, IntegerRejectsBoolean) {
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":"x","steps":true})");
  EXPECT_EQ(e.first(), "The steps field must be an integer.");
}

TEST(CatalogValidate, NumberAcceptsIntegerAndStoresDouble) {
  auto r = valid("txt2img", R"({"model":"Flux1schnell","prompt":"x","guidance":4})");
  ASSERT_TRUE(r.params.at("guidance").is_double());
  EXPECT_DOUBLE_EQ(r.params.at("guidance").as_double(), 4.0);
}

TEST(CatalogValidate, NumberRejectsString) {
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":"x","guidance":"high"})");
  EXPECT_EQ(e.first(), "The guidance field must be a number.");
}

TEST(CatalogValidate, NumberBoundsAllowFractions) {
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":"x","guidance":20.5})");
  EXPECT_EQ(e.first(), "The guidance field must be between 0 and 20.");
  auto tts = errors_of("txt2audio", R"({"model":"Kokoro","text":"hi","speed":0.25})");
  EXPECT_EQ(tts.first(), "The speed field must be between 0.5 and 2.");
}

TEST(CatalogValidate, StringRejectsNumber) {
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":42})");
  EXPECT_EQ(e.first(), "The prompt field must be a string.");
}

TEST(CatalogValidate, PromptLengthIsCountedInCharacters) {
  std::string long_prompt(4001, 'a');
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":")" + long_prompt + "\"}");
  EXPECT_EQ(e.first(), "The prompt field must be between 1 and 4000 characters.");

  std::string accented;
  for (int i = 0; i < 4000; ++i) {
    accented += "\xC3\xA9";  // é: two bytes, one character
  }
  json::object b = body(R"({"model":"Flux1schnell"})");
  b["prompt"] = accented;
  EXPECT_TRUE(shipped_catalog().validate("txt2img", b, kReserved, kNoFiles).has_value());
}

TEST(CatalogValidate, MaxOnlyStringBoundSaysNotGreaterThan) {
  std::string long_text(5001, 'a');
  json::object b = body(R"({"model":"ZImageTurbo_INT8","prompt":"x"})");
  b["negative_prompt"] = long_text;
  auto r = shipped_catalog().validate("txt2img", b, kReserved, kNoFiles);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().first(), "The negative prompt field must not be greater than 4000 characters.");
}

TEST(CatalogValidate, UnknownVoiceIsInvalid) {
  auto e = errors_of("txt2audio", R"({"model":"Kokoro","text":"hello","voice":"darth"})");
  EXPECT_EQ(problems(e, "voice"), std::vector<std::string>{"The selected voice is invalid."});
}

TEST(CatalogValidate, IntegerEnumTakesOnlyListedValues) {
  auto ok = valid("img-upscale", R"({"model":"RealESRGAN_x4","scale":2})", {"image"});
  EXPECT_EQ(ok.params.at("scale").as_int64(), 2);
  auto e = errors_of("img-upscale", R"({"model":"RealESRGAN_x4","scale":3})", {"image"});
  EXPECT_EQ(e.first(), "The selected scale is invalid.");
}

TEST(CatalogValidate, BooleanRejectsText) {
  auto e = errors_of("transcribe", R"({"model":"WhisperLargeV3","include_ts":"yes"})", {"audio"});
  EXPECT_EQ(e.first(), "The include ts field must be true or false.");
}

TEST(CatalogValidate, BooleanAcceptsOneAndZero) {
  auto r = valid("transcribe", R"({"model":"WhisperLargeV3","include_ts":1})", {"audio"});
  EXPECT_EQ(r.params.at("include_ts"), true);
}

TEST(CatalogValidate, MisspeltFieldIsNotSupported) {
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":"x","wdith":512})");
  EXPECT_EQ(problems(e, "wdith"), std::vector<std::string>{"The wdith field is not supported."});
}

TEST(CatalogValidate, NullUnknownFieldIsIgnored) {
  auto r = valid("txt2img", R"({"model":"Flux1schnell","prompt":"x","loras":null,"colour":""})");
  EXPECT_FALSE(r.params.contains("loras"));
  EXPECT_FALSE(r.params.contains("colour"));
}

TEST(CatalogValidate, NullKnownFieldTakesTheDefault) {
  auto r = valid("txt2img", R"({"model":"Flux1schnell","prompt":"x","width":null,"negative_prompt":null})");
  EXPECT_EQ(r.params.at("width").as_int64(), 1024);
  EXPECT_FALSE(r.params.contains("negative_prompt"));
}

TEST(CatalogValidate, ReservedFieldsAreLeftToTheCaller) {
  auto r = valid("img2txt", R"({"model":"Nanonets_Ocr_S_F16","return_result_in_response":true})", {"image"});
  EXPECT_FALSE(r.params.contains("return_result_in_response"));
  auto e = shipped_catalog().validate(
      "img2txt", body(R"({"model":"Nanonets_Ocr_S_F16","return_result_in_response":true})"), {}, {"image"});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().first(), "The return result in response field is not supported.");
}

TEST(CatalogValidate, EveryBadFieldIsReportedInParameterOrder) {
  auto e =
      errors_of("txt2img", R"({"model":"Flux1schnell","seed":-2,"colour":"red","width":100,"steps":"many"})");
  EXPECT_EQ(field_names(e), (std::vector<std::string>{"prompt", "width", "steps", "seed", "colour"}));
  EXPECT_EQ(e.first(), "The prompt field is required.");
  EXPECT_EQ(problems(e, "seed"),
            std::vector<std::string>{"The seed field must be between -1 and 4294967295."});
}

TEST(CatalogValidate, SeedTakesTheWholeUnsigned32BitRange) {
  auto r = valid("txt2img", R"({"model":"Flux1schnell","prompt":"x","seed":4294967295})");
  EXPECT_EQ(r.params.at("seed").to_number<std::int64_t>(), 4294967295);
  auto e = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":"x","seed":4294967296})");
  EXPECT_EQ(e.first(), "The seed field must be between -1 and 4294967295.");
  auto huge = errors_of("txt2img", R"({"model":"Flux1schnell","prompt":"x","seed":18446744073709551615})");
  EXPECT_EQ(huge.first(), "The seed field must be between -1 and 4294967295.");
}

TEST(CatalogValidate, MusicTakesDeapiFieldNames) {
  auto r = valid("txt2music", R"({"model":"AceStep_1_5_Turbo","caption":"lofi beats","duration":12.5,
      "timesignature":3,"bpm":90})");
  EXPECT_EQ(r.params.at("lyrics"), "[Instrumental]");
  EXPECT_DOUBLE_EQ(r.params.at("duration").as_double(), 12.5);
  EXPECT_EQ(r.params.at("inference_steps").as_int64(), 8);
  auto e = errors_of("txt2music",
                     R"({"model":"AceStep_1_5_Turbo","caption":"x","timesignature":5,"format":"aiff"})");
  EXPECT_EQ(problems(e, "timesignature"), std::vector<std::string>{"The selected timesignature is invalid."});
  EXPECT_EQ(problems(e, "format"), std::vector<std::string>{"The selected format is invalid."});
}

TEST(CatalogValidate, EmbeddingInputIsRequired) {
  auto e = errors_of("txt2embedding", R"({"model":"Bge_M3_FP16"})");
  EXPECT_EQ(e.first(), "The input field is required.");
}

}  // namespace
}  // namespace genq::catalog
