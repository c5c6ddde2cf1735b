// GET /api/v1/client/models (SPEC §3): the catalog, listed as deAPI lists it —
// paginated {"data":[…],"links":{…},"meta":{…}}, filterable by
// filter[inference_types], each model with name, slug, inference_types, info.limits
// and info.features. `slug` is what a client sends as "model", so it identifies a
// model here; `name` is for people.
#include <set>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

// "filter[inference_types]=" as a careful client encodes it; one test sends the
// brackets raw, as deAPI's documentation writes them.
constexpr std::string_view kFilter = "filter%5Binference_types%5D=";

class Models : public GenqTest {
 protected:
  boost::json::value list(const std::string& query = "") {
    const auto response = api().get("/api/v1/client/models" + query);
    EXPECT_EQ(response.status, 200) << response.describe();
    return response.status == 200 ? response.json() : boost::json::value(boost::json::object{});
  }

  // Names on every page, walking "links.next" from page 1.
  std::vector<std::string> all_names(const std::string& filter, int per_page) {
    std::vector<std::string> names;
    for (int page = 1; page <= 100; ++page) {
      const auto body = list("?page=" + std::to_string(page) + "&per_page=" +
                             std::to_string(per_page) + filter);
      const auto* data = json_at(body, "/data");
      if (data == nullptr || !data->is_array()) {
        ADD_FAILURE() << "no data array on page " << page;
        break;
      }
      EXPECT_LE(data->get_array().size(), static_cast<std::size_t>(per_page));
      for (const auto& model : data->get_array()) {
        names.push_back(text_at(model, "/slug"));
      }
      const auto* next = json_at(body, "/links/next");
      if (next == nullptr || next->is_null()) {
        break;
      }
    }
    return names;
  }

  std::vector<std::string> catalog_names(const std::vector<std::string>& tasks = {}) const {
    std::vector<std::string> names;
    for (const auto& model : requests().catalog().models()) {
      const bool wanted = tasks.empty() || std::any_of(tasks.begin(), tasks.end(), [&](const auto& t) {
                            return std::find(model.tasks.begin(), model.tasks.end(), t) !=
                                   model.tasks.end();
                          });
      if (wanted) {
        names.push_back(model.name);
      }
    }
    return names;
  }
};

TEST_F(Models, ListingHasTheDeapiShape) {
  const auto body = list("?page=1&per_page=5");
  const auto* data = json_at(body, "/data");
  ASSERT_TRUE(data != nullptr && data->is_array() && !data->get_array().empty())
      << boost::json::serialize(body);
  for (const auto& model : data->get_array()) {
    const std::string name = text_at(model, "/name");
    EXPECT_NE(name, "<missing>");
    const std::string slug = text_at(model, "/slug");
    EXPECT_NE(requests().catalog().find_model(slug), nullptr)
        << name << ": slug " << slug << " is not a model a client can send";
    const auto* types = json_at(model, "/inference_types");
    ASSERT_TRUE(types != nullptr && types->is_array() && !types->get_array().empty()) << name;
    const auto* limits = json_at(model, "/info/limits");
    EXPECT_TRUE(limits != nullptr && limits->is_object()) << name << ": info.limits";
    const auto* features = json_at(model, "/info/features");
    EXPECT_TRUE(features != nullptr && features->is_object()) << name << ": info.features";
  }
  for (const char* key : {"first", "last", "prev", "next"}) {
    EXPECT_NE(json_at(body, std::string("/links/") + key), nullptr) << "links." << key;
  }
  EXPECT_EQ(text_at(body, "/meta/current_page"), "1");
  EXPECT_EQ(text_at(body, "/meta/per_page"), "5");
  EXPECT_EQ(text_at(body, "/meta/total"), std::to_string(catalog_names().size()));
  EXPECT_NE(text_at(body, "/meta/last_page"), "<missing>");
  EXPECT_TRUE(json_at(body, "/links/prev")->is_null()) << "page 1 has no previous page";
}

TEST_F(Models, ImageModelsListTheirSizeLimits) {
  const auto body = list("?per_page=100&" + std::string(kFilter) + "txt2img");
  const auto* data = json_at(body, "/data");
  ASSERT_TRUE(data != nullptr && data->is_array() && !data->get_array().empty());
  for (const auto& model : data->get_array()) {
    for (const char* limit : {"min_width", "max_width", "min_height", "max_height"}) {
      EXPECT_NE(json_at(model, std::string("/info/limits/") + limit), nullptr)
          << text_at(model, "/name") << " lacks info.limits." << limit;
    }
  }
}

TEST_F(Models, PagesTogetherListEveryCatalogModelOnce) {
  const auto names = all_names("", 2);
  EXPECT_EQ(names, catalog_names());
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size())
      << "a model appeared on two pages";
}

TEST_F(Models, PageBeyondTheLastIsEmpty) {
  const auto body = list("?page=999&per_page=5");
  const auto* data = json_at(body, "/data");
  ASSERT_TRUE(data != nullptr && data->is_array());
  EXPECT_TRUE(data->get_array().empty());
  EXPECT_TRUE(json_at(body, "/links/next") == nullptr || json_at(body, "/links/next")->is_null());
}

TEST_F(Models, FilterByOneInferenceType) {
  const auto names = all_names("&" + std::string(kFilter) + "txt2img", 100);
  EXPECT_FALSE(names.empty());
  EXPECT_EQ(names, catalog_names({"txt2img"}));
}

TEST_F(Models, FilterBySeveralInferenceTypesIsTheirUnion) {
  const auto names = all_names("&" + std::string(kFilter) + "txt2audio,transcribe", 100);
  EXPECT_EQ(names, catalog_names({"txt2audio", "transcribe"}));
}

TEST_F(Models, FilterWithUnencodedBracketsWorks) {
  // curl -g, PHP's http_build_query users and browsers send the brackets as they are.
  const auto response = api().get("/api/v1/client/models?per_page=100&filter[inference_types]=txt2img");
  ASSERT_EQ(response.status, 200) << response.describe();
  std::vector<std::string> slugs;
  const auto body = response.json();  // the range below must not outlive a temporary
  for (const auto& model : body.at("data").as_array()) {
    slugs.push_back(text_at(model, "/slug"));
  }
  EXPECT_EQ(slugs, catalog_names({"txt2img"}));
}

TEST_F(Models, EveryModelListsTheTasksTheCatalogGivesIt) {
  const auto body = list("?per_page=100");
  const auto* data = json_at(body, "/data");
  ASSERT_TRUE(data != nullptr && data->is_array());
  for (const auto& listed : data->get_array()) {
    const auto* model = requests().catalog().find_model(text_at(listed, "/slug"));
    ASSERT_NE(model, nullptr) << "listed model not in the catalog: " << text_at(listed, "/slug");
    std::vector<std::string> types;
    for (const auto& type : json_at(listed, "/inference_types")->get_array()) {
      types.emplace_back(type.as_string());
    }
    EXPECT_EQ(types, model->tasks) << model->name;
  }
}

TEST_F(Models, EveryContractTaskHasAModel) {
  for (const auto& task : contract_tasks()) {
    const auto body = list("?per_page=100&" + std::string(kFilter) + task);
    const auto* data = json_at(body, "/data");
    EXPECT_TRUE(data != nullptr && data->is_array() && !data->get_array().empty())
        << "no model serves " << task;
  }
}

}  // namespace
}  // namespace genq::testing
