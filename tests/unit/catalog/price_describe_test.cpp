// Catalog::price (the price-calculation twin of every task) and Catalog::describe
// (one item of GET /api/v1/client/models, in deAPI's shape).
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

// One model per pricing term, with round rates, so each term can be checked alone.
Catalog priced_catalog() {
  auto c = Catalog::parse(json::parse(R"({
    "tasks": [{"name":"txt2img","output":"image"}, {"name":"txt2video","output":"video"},
              {"name":"txt2audio","output":"audio"}],
    "models": [
      {"name":"Img","inference_types":["txt2img"],
       "parameters":[{"name":"prompt","type":"string","required":true},
                     {"name":"width","type":"integer","default":1000},
                     {"name":"height","type":"integer","default":500},
                     {"name":"steps","type":"integer","default":10}],
       "pricing":{"base":0.5,"per_step":0.01,"per_megapixel":2,"per_1k_chars":1},
       "backend":{"type":"synthetic"}},
      {"name":"Vid","inference_types":["txt2video"],
       "parameters":[{"name":"frames","type":"integer","default":90},
                     {"name":"fps","type":"integer","default":30}],
       "pricing":{"per_second":0.25},
       "backend":{"type":"synthetic"}},
      {"name":"Tts","inference_types":["txt2audio"],
       "parameters":[{"name":"text","type":"string","required":true}],
       "pricing":{"base":0.0000004,"per_1k_chars":0.0000013},
       "backend":{"type":"synthetic"}}]})"));
  if (!c) {
    throw std::runtime_error(c.error().message);
  }
  return std::move(*c);
}

double price_of(const Catalog& c, std::string_view task, std::string_view json_body) {
  auto r = c.validate(task, body(json_body), {}, {});
  if (!r) {
    ADD_FAILURE() << r.error().first();
    return -1;
  }
  return c.price(*r);
}

TEST(CatalogPrice, AddsBaseStepsMegapixelsAndCharacters) {
  const Catalog c = priced_catalog();
  // 0.5 + 0.01*10 + 2*(1000*500/1e6) + 1*(4/1000)
  EXPECT_DOUBLE_EQ(price_of(c, "txt2img", R"({"model":"Img","prompt":"abcd"})"), 0.5 + 0.1 + 1.0 + 0.004);
}

TEST(CatalogPrice, FollowsTheRequestedValues) {
  const Catalog c = priced_catalog();
  // 0.5 + 0.01*2 + 2*(2000*1000/1e6) + 0
  EXPECT_DOUBLE_EQ(
      price_of(c, "txt2img", R"({"model":"Img","prompt":"x","width":2000,"height":1000,"steps":2})"),
      0.5 + 0.02 + 4.0 + 0.001);
}

TEST(CatalogPrice, VideoDurationIsFramesOverFps) {
  const Catalog c = priced_catalog();
  EXPECT_DOUBLE_EQ(price_of(c, "txt2video", R"({"model":"Vid"})"), 0.25 * 3);
  EXPECT_DOUBLE_EQ(price_of(c, "txt2video", R"({"model":"Vid","frames":15,"fps":30})"), 0.125);
}

TEST(CatalogPrice, IsRoundedToSixDecimals) {
  const Catalog c = priced_catalog();
  // 0.0000004 + 0.0000013 * 1 = 0.0000017 -> 0.000002
  std::string text(1000, 'a');
  EXPECT_DOUBLE_EQ(price_of(c, "txt2audio", R"({"model":"Tts","text":")" + text + "\"}"), 0.000002);
}

TEST(CatalogPrice, CountsCharactersNotBytes) {
  const Catalog c = priced_catalog();
  json::object b = body(R"({"model":"Img"})");
  b["prompt"] = "\xC3\xA9\xC3\xA9";  // two characters, four bytes
  auto r = c.validate("txt2img", b, {}, {});
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(c.price(*r), 0.5 + 0.1 + 1.0 + 0.002);
}

TEST(CatalogPrice, ShippedFlux1schnellDefaultsCostAFractionOfACent) {
  const Catalog& c = shipped_catalog();
  // 0.0005 + 0.0001*4 + 0.0015*(1024*768/1e6) = 0.002079648 -> 0.00208
  EXPECT_DOUBLE_EQ(price_of(c, "txt2img", R"({"model":"Flux1schnell","prompt":"fox"})"), 0.00208);
}

TEST(CatalogPrice, EveryShippedModelHasAPositivePrice) {
  const Catalog& c = shipped_catalog();
  for (const ModelSpec& m : c.models()) {
    const double total = m.pricing.base + m.pricing.per_step + m.pricing.per_megapixel +
                         m.pricing.per_second + m.pricing.per_1k_chars;
    EXPECT_GT(total, 0) << m.name;
    EXPECT_EQ(m.pricing.currency, "USD") << m.name;
  }
}

TEST(CatalogDescribe, HasDeapiModelShape) {
  const Catalog& c = shipped_catalog();
  const json::object d = c.describe(*c.find_model("Flux1schnell"));
  EXPECT_EQ(d.at("name"), "FLUX.1 Schnell 12B NF4");
  EXPECT_EQ(d.at("slug"), "Flux1schnell") << "slug is what clients send as model";
  EXPECT_EQ(d.at("inference_types"), (json::array{"txt2img"}));
  const json::object& info = d.at("info").as_object();
  const json::object& limits = info.at("limits").as_object();
  EXPECT_EQ(limits.at("min_width"), 256);
  EXPECT_EQ(limits.at("max_width"), 2048);
  EXPECT_EQ(limits.at("min_height"), 256);
  EXPECT_EQ(limits.at("max_height"), 2048);
  EXPECT_EQ(limits.at("min_steps"), 1);
  EXPECT_EQ(limits.at("max_steps"), 10);
  EXPECT_EQ(limits.at("resolution_step"), 8);
  EXPECT_EQ(info.at("features").at("supports_guidance"), true);
  const json::object& defaults = info.at("defaults").as_object();
  EXPECT_EQ(defaults.at("width"), 1024);
  EXPECT_EQ(defaults.at("height"), 768);
  EXPECT_EQ(defaults.at("steps"), 4);
  EXPECT_EQ(defaults.at("seed"), -1);
  EXPECT_DOUBLE_EQ(defaults.at("guidance").to_number<double>(), 3.5);
  EXPECT_EQ(d.at("aliases"), (json::array{"flux-1-schnell"}));
  EXPECT_EQ(d.at("pricing").at("currency"), "USD");
  EXPECT_FALSE(d.contains("languages")) << "speech models only";
}

TEST(CatalogDescribe, ListsEveryParameterWithItsRules) {
  const Catalog& c = shipped_catalog();
  const json::object d = c.describe(*c.find_model("Flux1schnell"));
  const json::array& params = d.at("parameters").as_array();
  ASSERT_EQ(params.size(), c.find_model("Flux1schnell")->params.size());
  EXPECT_EQ(params.at(0),
            json::parse(R"({"name":"prompt","type":"string","required":true,"min_length":1,"max_length":4000,
                            "description":"What to generate."})"));
  EXPECT_EQ(params.at(2), json::parse(R"({"name":"width","type":"integer","required":false,"default":1024,
                                         "min":256,"max":2048,"step":8,"description":"Output width in pixels."})"));
  const json::object& seed = params.at(6).as_object();
  EXPECT_EQ(seed.at("name"), "seed");
  EXPECT_EQ(seed.at("random_seed"), -1);
  EXPECT_EQ(seed.at("max"), 4294967295);
}

TEST(CatalogDescribe, EnumsKeepTheirTypes) {
  const Catalog& c = shipped_catalog();
  const json::object up = c.describe(*c.find_model("RealESRGAN_x4"));
  const json::object& scale = up.at("parameters").at(1).as_object();
  EXPECT_EQ(scale.at("allowed"), (json::array{2, 4}));
  EXPECT_EQ(up.at("parameters").at(0), json::parse(R"({"name":"image","type":"file","required":true,
      "description":"Input image (JPG, PNG, GIF, BMP, WebP)."})"));

  const json::object tts = c.describe(*c.find_model("Kokoro"));
  const json::object& voice = tts.at("parameters").at(1).as_object();
  EXPECT_EQ(voice.at("name"), "voice");
  EXPECT_EQ(voice.at("allowed").as_array().at(0), "af_sky");
  ASSERT_TRUE(tts.contains("languages"));
  const json::object& english = tts.at("languages").at(0).as_object();
  EXPECT_EQ(english.at("slug"), "en-us");
  EXPECT_EQ(english.at("voices").at(0).at("slug"), "af_sky");
}

TEST(CatalogDescribe, FileAlternativesAreListed) {
  const Catalog& c = shipped_catalog();
  const json::object d = c.describe(*c.find_model("WhisperLargeV3"));
  EXPECT_EQ(d.at("parameters").at(0).at("required_without"), (json::array{"video"}));
  EXPECT_FALSE(d.at("info").at("defaults").as_object().contains("audio"));
}

TEST(CatalogDescribe, EverySlugFindsItsModel) {
  const Catalog& c = shipped_catalog();
  for (const ModelSpec& m : c.models()) {
    const json::object d = c.describe(m);
    EXPECT_EQ(c.find_model(d.at("slug").as_string()), &m) << m.name;
    for (const char* key : {"name", "slug", "inference_types", "info", "parameters", "pricing"}) {
      EXPECT_TRUE(d.contains(key)) << m.name << " lacks " << key;
    }
  }
}

}  // namespace
}  // namespace genq::catalog
