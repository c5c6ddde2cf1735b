// POST /api/v1/client/{task}/price-calculation (SPEC §3): validates the same body as
// submit and prices it from the catalog's pricing, without creating a job.
#include <cmath>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class Price : public GenqTest {
 protected:
  // What the catalog's pricing says the request costs.
  double catalog_price(const JobRequest& request) const {
    std::vector<std::string> files;
    for (const auto& file : request.files) {
      files.push_back(file.field);
    }
    boost::json::object body = request.fields;
    body.erase("return_result_in_response");
    const auto validated = requests().catalog().validate(request.task, body, {}, files);
    EXPECT_TRUE(validated.has_value()) << "the test's own request is invalid";
    return validated ? requests().catalog().price(*validated) : -1;
  }

  double quoted_price(const JobRequest& request) const {
    const auto response = request.price(api());
    EXPECT_EQ(response.status, 200) << request.task << ": " << response.describe();
    if (response.status != 200) {
      return -1;
    }
    const auto body = response.json();
    EXPECT_EQ(text_at(body, "/data/currency"), "USD") << response.describe();
    const auto* price = json_at(body, "/data/price");
    EXPECT_TRUE(price != nullptr && price->is_number()) << response.describe();
    return price != nullptr && price->is_number() ? price->to_number<double>() : -1;
  }
};

TEST_F(Price, EveryTaskIsPricedFromTheCatalog) {
  for (const auto& task : contract_tasks()) {
    const JobRequest request = requests().minimal(task);
    const double quoted = quoted_price(request);
    EXPECT_GE(quoted, 0) << task;
    EXPECT_NEAR(quoted, catalog_price(request), 1e-9) << task;
  }
}

TEST_F(Price, MoreWorkCostsMore) {
  const auto* model = requests().model_for("txt2img");
  ASSERT_GT(model->pricing.per_megapixel, 0) << "pricing for " << model->name << " ignores size";
  JobRequest small = requests().minimal("txt2img");
  JobRequest large = small;
  const auto* width = requests().param(*model, "width");
  large.fields["width"] = static_cast<std::int64_t>(width->max.value_or(1024));
  EXPECT_GT(quoted_price(large), quoted_price(small));
  EXPECT_NEAR(quoted_price(large), catalog_price(large), 1e-9);
}

TEST_F(Price, PriceCalculationCreatesNoJob) {
  quoted_price(requests().minimal("txt2img"));
  EXPECT_TRUE(manual_worker().claim().empty()) << "pricing a request queued a job";
}

TEST_F(Price, InvalidRequestsAreRefusedAsSubmitRefusesThem) {
  JobRequest request = requests().minimal("txt2img");
  request.fields["widht"] = 512;  // a typo is refused, not priced at the default width
  request.fields["steps"] = 1000;
  const auto priced = request.price(api());
  const auto submitted = request.submit(api());
  EXPECT_EQ(priced.status, 422) << priced.describe();
  EXPECT_EQ(priced.status, submitted.status);
  EXPECT_EQ(priced.body, submitted.body) << "price and submit should validate alike";

  request = requests().minimal("txt2img");
  request.fields["model"] = "NoSuchModel";
  EXPECT_EQ(request.price(api()).status, 422);
}

// deAPI's price twins price what a submit would carry without carrying it: the
// prompt, the text and the files are not required, and the price-only fields stand
// in for them (docs/api.md, "Price calculation").
TEST_F(Price, PriceOnlyBodiesNeedNoPromptTextOrFile) {
  const auto priced = [&](const std::string& task, const boost::json::object& body) {
    const auto response = api().post_json("/api/v1/client/" + task + "/price-calculation", body);
    EXPECT_EQ(response.status, 200) << task << ": " << response.describe();
    const boost::json::value document = response.status == 200 ? response.json() : boost::json::value();
    const auto* price = json_at(document, "/data/price");  // points into document
    return price != nullptr && price->is_number() ? price->to_number<double>() : -1.0;
  };
  const auto* flux = requests().catalog().find_model("Flux1schnell");
  const double base = flux->pricing.base + flux->pricing.per_step * 4;
  EXPECT_NEAR(priced("txt2img", {{"model", "Flux1schnell"}, {"width", 1000}, {"height", 1000}, {"steps", 4}}),
              base + flux->pricing.per_megapixel * 1.0, 1e-9);
  const auto* kokoro = requests().catalog().find_model("Kokoro");
  EXPECT_NEAR(priced("txt2audio", {{"model", "Kokoro"}, {"count_text", 2500}}),
              kokoro->pricing.base + kokoro->pricing.per_1k_chars * 2.5, 1e-9);
  const auto* ltxv = requests().catalog().find_model("Ltxv_13B_0_9_8_Distilled_FP8");
  EXPECT_NEAR(priced("img2video", {{"model", ltxv->name}, {"width", 768}, {"height", 512}, {"frames", 60}, {"fps", 30}}),
              ltxv->pricing.base + ltxv->pricing.per_second * 2, 1e-9);
  EXPECT_GE(priced("img-upscale", {{"model", "RealESRGAN_x4"}, {"width", 5000}, {"height", 4000}}), 0);
  EXPECT_GE(priced("transcribe", {{"model", "WhisperLargeV3"}, {"include_ts", true}, {"duration_seconds", 90}}), 0);
  // Price-only fields are checked like parameters.
  const auto negative = api().post_json("/api/v1/client/txt2audio/price-calculation",
                                        boost::json::object{{"model", "Kokoro"}, {"count_text", -1}});
  EXPECT_EQ(negative.status, 422) << negative.describe();
  // And never accepted by a submit.
  const auto submit = api().post_json("/api/v1/client/txt2audio",
                                      boost::json::object{{"model", "Kokoro"}, {"text", "hi"}, {"count_text", 2}});
  EXPECT_EQ(submit.status, 422) << submit.describe();
}

TEST_F(Price, PricingNeedsAnApiKey) {
  const auto response = requests().minimal("txt2img").price(server().http());
  EXPECT_EQ(response.status, 401) << response.describe();
}

}  // namespace
}  // namespace genq::testing
