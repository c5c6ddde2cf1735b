// Loading the catalog: the shipped config/models.json is complete and consistent,
// and a broken catalog file is refused with a message naming the bad entry.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <string>
#include <tuple>
#include <vector>

#include "genq/catalog/catalog.hpp"
#include "support/temp_dir.hpp"
#include "unit/catalog/shipped_catalog.hpp"

namespace genq::catalog {
namespace {

using fixtures::shipped_catalog;
namespace json = boost::json;

TEST(CatalogLoad, ShippedCatalogHasEverySpecTask) {
  const std::map<std::string, std::pair<OutputKind, std::vector<std::string>>> expected{
      {"txt2img", {OutputKind::Image, {}}},
      {"img2img", {OutputKind::Image, {"image"}}},
      {"txt2video", {OutputKind::Video, {}}},
      {"img2video", {OutputKind::Video, {"image"}}},
      {"aud2video", {OutputKind::Video, {"audio"}}},
      {"vid-replace", {OutputKind::Video, {"video", "ref_image"}}},
      {"txt2audio", {OutputKind::Audio, {}}},
      {"txt2music", {OutputKind::Audio, {}}},
      {"transcribe", {OutputKind::Text, {"audio", "video"}}},
      {"aud2txt", {OutputKind::Text, {"audio"}}},
      {"vid2txt", {OutputKind::Text, {"video"}}},
      {"audiofile2txt", {OutputKind::Text, {"audio"}}},
      {"videofile2txt", {OutputKind::Text, {"video"}}},
      {"img2txt", {OutputKind::Text, {"image"}}},
      {"txt2embedding", {OutputKind::Json, {}}},
      {"img-upscale", {OutputKind::Image, {"image"}}},
      {"img-rmbg", {OutputKind::Image, {"image"}}},
      {"vid-upscale", {OutputKind::Video, {"video"}}},
      {"vid-rmbg", {OutputKind::Video, {"video"}}},
      {"prompt-image", {OutputKind::Text, {}}},
      {"prompt-video", {OutputKind::Text, {}}},
      {"prompt-speech", {OutputKind::Text, {}}},
      {"prompt-image2image", {OutputKind::Text, {"image"}}},
      {"prompt-samples", {OutputKind::Text, {}}},
  };
  const Catalog& c = shipped_catalog();
  EXPECT_EQ(c.tasks().size(), expected.size());
  for (const auto& [name, spec] : expected) {
    const TaskSpec* t = c.find_task(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->output, spec.first) << name;
    EXPECT_EQ(t->file_fields, spec.second) << name;
    EXPECT_FALSE(t->title.empty()) << name;
  }
}

TEST(CatalogLoad, EveryTaskHasAModel) {
  const Catalog& c = shipped_catalog();
  for (const TaskSpec& t : c.tasks()) {
    const bool served = std::any_of(c.models().begin(), c.models().end(),
                                    [&](const ModelSpec& m) { return m.serves(t.name); });
    EXPECT_TRUE(served) << t.name << " has no model";
  }
}

TEST(CatalogLoad, TextToImageHasFlux1schnellAndAnother) {
  const Catalog& c = shipped_catalog();
  const ModelSpec* flux = c.find_model("Flux1schnell");
  ASSERT_NE(flux, nullptr);
  EXPECT_TRUE(flux->serves("txt2img"));
  auto n = std::count_if(c.models().begin(), c.models().end(),
                         [](const ModelSpec& m) { return m.serves("txt2img"); });
  EXPECT_GE(n, 2);
}

TEST(CatalogLoad, EveryModelNamesABackendTheWorkerKnows) {
  for (const ModelSpec& m : shipped_catalog().models()) {
    ASSERT_TRUE(m.backend.is_object()) << m.name;
    const auto& type = m.backend.at("type");
    EXPECT_TRUE(type == "synthetic" || type == "exec" || type == "http") << m.name << ": " << type;
  }
}

// Tests (and clients that take the first model of a task) get the synthetic model,
// which needs no tools installed.
TEST(CatalogLoad, TheFirstModelOfEveryTaskIsSynthetic) {
  const Catalog& c = shipped_catalog();
  for (const TaskSpec& task : c.tasks()) {
    const auto first = std::find_if(c.models().begin(), c.models().end(),
                                    [&](const ModelSpec& m) { return m.serves(task.name); });
    ASSERT_NE(first, c.models().end()) << task.name;
    EXPECT_EQ(first->backend.at("type"), "synthetic") << task.name << " is first served by " << first->name;
  }
}

TEST(CatalogLoad, EveryModelHasALowercaseDashedAlias) {
  const std::regex dashed("[a-z0-9]+(-[a-z0-9]+)*");
  const Catalog& c = shipped_catalog();
  for (const ModelSpec& m : c.models()) {
    ASSERT_FALSE(m.aliases.empty()) << m.name;
    for (const std::string& alias : m.aliases) {
      EXPECT_TRUE(std::regex_match(alias, dashed)) << m.name << ": " << alias;
      EXPECT_EQ(c.find_model(alias), &m) << alias;
    }
    EXPECT_EQ(c.find_model(m.slug), &m) << m.slug;
  }
}

TEST(CatalogLoad, SecondDialectModesLeadToTheirTasks) {
  const Catalog& c = shipped_catalog();
  const std::map<std::string, std::string> modes{
      {"text-to-image", "txt2img"},
      {"image-to-image", "img2img"},
      {"text-to-video", "txt2video"},
      {"image-to-video", "img2video"},
      {"text-to-audio", "txt2audio"},
      {"text-to-music", "txt2music"},
      {"speech-to-text", "transcribe"},
      {"image-to-text", "img2txt"},
      {"text-to-embedding", "txt2embedding"},
      {"image-upscale", "img-upscale"},
      {"image-remove-background", "img-rmbg"},
      {"video-upscale", "vid-upscale"},
      {"video-remove-background", "vid-rmbg"},
  };
  for (const auto& [mode, task] : modes) {
    const TaskSpec* t = c.find_task_by_mode(mode);
    ASSERT_NE(t, nullptr) << mode;
    EXPECT_EQ(t->name, task) << mode;
  }
  EXPECT_EQ(c.find_task_by_mode(""), nullptr);
  EXPECT_TRUE(c.find_task("aud2txt")->dialect_mode.empty());
}

// info.limits is what clients read; the parameters are what validate() enforces.
// They must say the same thing.
TEST(CatalogLoad, LimitsAgreeWithParameterBounds) {
  const std::vector<std::tuple<std::string, std::string, std::string>> pairs{
      {"width", "min_width", "max_width"},
      {"height", "min_height", "max_height"},
      {"steps", "min_steps", "max_steps"},
      {"inference_steps", "min_steps", "max_steps"},
      {"frames", "min_frames", "max_frames"},
      {"fps", "min_fps", "max_fps"},
      {"duration", "min_duration", "max_duration"},
      {"guidance", "min_guidance", "max_guidance"},
      {"guidance_scale", "min_guidance", "max_guidance"},
      {"speed", "min_speed", "max_speed"},
      {"text", "min_text", "max_text"},
      {"bpm", "min_bpm", "max_bpm"},
  };
  for (const ModelSpec& m : shipped_catalog().models()) {
    const json::object& limits = m.limits.as_object();
    for (const auto& [param, lo, hi] : pairs) {
      const ParamSpec* p = m.find_param(param);
      if (p == nullptr || !limits.contains(lo)) {
        continue;
      }
      ASSERT_TRUE(p->min && p->max) << m.name << "." << param;
      EXPECT_EQ(limits.at(lo).to_number<double>(), *p->min) << m.name << "." << lo;
      EXPECT_EQ(limits.at(hi).to_number<double>(), *p->max) << m.name << "." << hi;
    }
    if (limits.contains("resolution_step")) {
      ASSERT_NE(m.find_param("width"), nullptr) << m.name;
      EXPECT_EQ(limits.at("resolution_step").to_number<double>(), m.find_param("width")->step.value_or(0))
          << m.name;
      EXPECT_EQ(limits.at("resolution_step").to_number<double>(), m.find_param("height")->step.value_or(0))
          << m.name;
    }
    if (const ParamSpec* seed = m.find_param("seed")) {
      EXPECT_TRUE(seed->nullable_random_seed) << m.name;
      EXPECT_EQ(seed->default_value, json::value(-1)) << m.name;
    }
  }
}

TEST(CatalogLoad, DefaultsAreStoredInTheParameterType) {
  const ModelSpec* flux = shipped_catalog().find_model("Flux1schnell");
  ASSERT_NE(flux, nullptr);
  EXPECT_TRUE(flux->find_param("width")->default_value->is_int64());
  EXPECT_TRUE(flux->find_param("guidance")->default_value->is_double());
  const ModelSpec* kokoro = shipped_catalog().find_model("Kokoro");
  ASSERT_NE(kokoro, nullptr);
  EXPECT_TRUE(kokoro->find_param("speed")->default_value->is_double()) << "1 in the file, 1.0 in params";
}

// A minimal valid catalog to break one piece at a time.
json::value small_catalog() {
  return json::parse(R"({
    "tasks": [{"name":"txt2img","output":"image","mode":"text-to-image"},
              {"name":"img2img","output":"image","file_fields":["image"]}],
    "models": [{"name":"Tiny","aliases":["tiny-1"],"inference_types":["txt2img"],
                "parameters":[{"name":"prompt","type":"string","required":true},
                              {"name":"steps","type":"integer","default":4,"min":1,"max":8}],
                "backend":{"type":"synthetic"}}]})");
}

std::string parse_error(const json::value& doc) {
  auto c = Catalog::parse(doc);
  EXPECT_FALSE(c) << "accepted a broken catalog";
  if (c) {
    return {};
  }
  EXPECT_EQ(c.error().kind, ErrorKind::Invalid);
  return c.error().message;
}

TEST(CatalogLoad, SmallCatalogParsesWithDefaults) {
  auto c = Catalog::parse(small_catalog());
  ASSERT_TRUE(c) << c.error().message;
  const ModelSpec* m = c->find_model("tiny-1");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->slug, "tiny");
  EXPECT_EQ(m->display_name, "Tiny");
  EXPECT_EQ(c->find_task("txt2img")->title, "txt2img");
  EXPECT_EQ(m->pricing.currency, "USD");
}

TEST(CatalogLoad, DeadlinesAreTheModelsDefaultsAndNoneWhenAbsent) {
  auto plain = Catalog::parse(small_catalog());
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(plain->find_model("Tiny")->deadlines.cancel_after_s, 0);
  EXPECT_EQ(plain->find_model("Tiny")->deadlines.execution_timeout_s, 0);

  json::value doc = small_catalog();
  doc.at("models").at(0).as_object()["deadlines"] = json::object{{"cancel_after", 600}, {"execution_timeout", 120}};
  auto c = Catalog::parse(doc);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->find_model("Tiny")->deadlines.cancel_after_s, 600);
  EXPECT_EQ(c->find_model("Tiny")->deadlines.execution_timeout_s, 120);

  doc.at("models").at(0).as_object()["deadlines"] = json::object{{"cancel_after", 0.5}};
  EXPECT_NE(parse_error(doc).find("cancel_after"), std::string::npos);
  doc.at("models").at(0).as_object()["deadlines"] = json::object{{"execution_timout", 30}};
  EXPECT_NE(parse_error(doc).find("execution_timout"), std::string::npos) << "a misspelt key is refused";
}

TEST(CatalogLoad, MisspeltKeyIsRefused) {
  json::value doc = small_catalog();
  doc.at("models").at(0).at("parameters").at(0).as_object()["requried"] = true;
  const std::string message = parse_error(doc);
  EXPECT_NE(message.find("model Tiny"), std::string::npos) << message;
  EXPECT_NE(message.find("requried"), std::string::npos) << message;
}

TEST(CatalogLoad, DefaultOutsideItsBoundsIsRefused) {
  json::value doc = small_catalog();
  doc.at("models").at(0).at("parameters").at(1).as_object()["default"] = 9;
  const std::string message = parse_error(doc);
  EXPECT_NE(message.find("parameter steps"), std::string::npos) << message;
  EXPECT_NE(message.find("between 1 and 8"), std::string::npos) << message;
}

TEST(CatalogLoad, UnknownTaskInModelIsRefused) {
  json::value doc = small_catalog();
  doc.at("models").at(0).at("inference_types").as_array().emplace_back("txt2smell");
  EXPECT_NE(parse_error(doc).find("txt2smell"), std::string::npos);
}

TEST(CatalogLoad, ModelServingAFileTaskMustDeclareTheFile) {
  json::value doc = small_catalog();
  doc.at("models").at(0).at("inference_types").as_array().emplace_back("img2img");
  EXPECT_NE(parse_error(doc).find("\"image\""), std::string::npos);
}

TEST(CatalogLoad, NameSharedByTwoModelsIsRefused) {
  json::value doc = small_catalog();
  json::value twin = doc.at("models").at(0);
  twin.as_object()["name"] = "Other";
  doc.at("models").as_array().push_back(twin);  // still aliased "tiny-1"
  EXPECT_NE(parse_error(doc).find("tiny-1"), std::string::npos);
}

TEST(CatalogLoad, EnumValueOfTheWrongTypeIsRefused) {
  json::value doc = small_catalog();
  doc.at("models").at(0).at("parameters").at(1).as_object()["allowed"] = json::array{2, "four"};
  EXPECT_NE(parse_error(doc).find("allowed"), std::string::npos);
}

TEST(CatalogLoad, MissingFileIsNotFound) {
  auto c = Catalog::load_file("/nonexistent/genq/models.json");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::NotFound);
}

TEST(CatalogLoad, SyntaxErrorNamesTheFile) {
  genq::testing::TempDir dir("genq-catalog");
  const std::string path = dir.file("models.json");
  genq::testing::write_file(path, R"({"tasks": [)");
  auto c = Catalog::load_file(path);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::Invalid);
  EXPECT_NE(c.error().message.find(path), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace genq::catalog
