// The admin dashboard's overviews (docs/api.md, "Admin API"): GET /api/v1/admin/workers
// (presence recorded in the store, docs/operations.md "Worker presence"),
// GET /api/v1/admin/queue and GET /api/v1/admin/worker-tokens.
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class AdminOverview : public GenqTest {
 protected:
  boost::json::value admin_get(const std::string& path) const {
    const auto answer = server().admin_http().get(path);
    EXPECT_EQ(answer.status, 200) << path << ": " << answer.describe();
    return answer.status == 200 ? answer.json() : boost::json::value();
  }

  // The workers list once `worker_id` is in it (presence is flushed every few seconds).
  std::optional<boost::json::object> worker_entry(const std::string& worker_id,
                                                  const std::function<bool(const boost::json::object&)>& ready) const {
    std::optional<boost::json::object> found;
    wait_until(kJobDeadline, [&] {
      const auto listed = server().admin_http().get("/api/v1/admin/workers");
      if (listed.status != 200) return false;
      const boost::json::value body = listed.json();
      for (const auto& item : body.at("data").as_array()) {
        if (text_at(item, "/worker_id") == worker_id && ready(item.as_object())) {
          found = item.as_object();
          return true;
        }
      }
      return false;
    });
    return found;
  }
};

TEST_F(AdminOverview, AWorkerThatClaimedIsListedOnlineWithItsModelsAndCurrentJobs) {
  const auto* image_model = requests().model_for("txt2img");
  const std::string token = server().create_worker_token({image_model->name});
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker worker(server().http(), token, "gpu-box-1");
  const auto jobs = worker.claim(kShortWait, {}, 1);
  ASSERT_EQ(jobs.size(), 1u);
  ASSERT_EQ(jobs.front().job_id, id);

  const auto entry = worker_entry("gpu-box-1", [](const boost::json::object&) { return true; });
  ASSERT_TRUE(entry) << "the worker never appeared in /api/v1/admin/workers";
  EXPECT_EQ(entry->size(), 6u) << boost::json::serialize(*entry);
  EXPECT_EQ(text_at(*entry, "/models"), "[\"" + image_model->name + "\"]");
  EXPECT_EQ(text_at(*entry, "/current_jobs"), "[\"" + id + "\"]");
  EXPECT_EQ(text_at(*entry, "/online"), "true");
  EXPECT_TRUE(text_at(*entry, "/last_seen_at").ends_with("Z")) << text_at(*entry, "/last_seen_at");
  EXPECT_TRUE(json_at(*entry, "/token_name")->is_string());

  // Done: it holds no lease any more.
  ASSERT_EQ(worker.finish(jobs.front()).status, 200);
  const auto idle = worker_entry("gpu-box-1", [](const boost::json::object& item) {
    return item.at("current_jobs").as_array().empty();
  });
  ASSERT_TRUE(idle) << "the finished job stayed among current_jobs";
  EXPECT_EQ(text_at(*idle, "/online"), "true") << "seen seconds ago";
}

TEST_F(AdminOverview, QueueCountsPendingAndProcessingJobsByModel) {
  EXPECT_EQ(text_at(admin_get("/api/v1/admin/queue"), "/data"), "[]");
  const std::string first = submit(requests().minimal("txt2img"));
  submit(requests().minimal("txt2img"));
  submit(requests().minimal("txt2audio"));
  const auto claimed = manual_worker().claim_job(first, kJobDeadline);
  ASSERT_TRUE(claimed);

  const auto queue = admin_get("/api/v1/admin/queue");
  const auto& rows = json_at(queue, "/data")->as_array();
  ASSERT_EQ(rows.size(), 2u) << boost::json::serialize(queue);
  bool saw_image = false;
  for (const auto& row : rows) {
    EXPECT_EQ(row.as_object().size(), 5u) << boost::json::serialize(row);
    if (text_at(row, "/model") == requests().model_for("txt2img")->name) {
      saw_image = true;
      EXPECT_EQ(text_at(row, "/pending"), "1");
      EXPECT_EQ(text_at(row, "/processing"), "1");
      EXPECT_TRUE(text_at(row, "/oldest_pending_at").ends_with("Z"));
      EXPECT_GE(json_at(row, "/oldest_wait_s")->to_number<double>(), 0.0);
    } else {
      EXPECT_EQ(text_at(row, "/pending"), "1");
      EXPECT_EQ(text_at(row, "/processing"), "0");
    }
  }
  EXPECT_TRUE(saw_image);
}

TEST_F(AdminOverview, WorkerTokensAreListedWithoutTheTokenItself) {
  const auto* image_model = requests().model_for("txt2img");
  const auto created = server().admin_http().post_json(
      "/api/v1/admin/worker-tokens",
      boost::json::object{{"name", "gpu fleet"}, {"models", boost::json::array{boost::json::string(image_model->name)}}});
  ASSERT_EQ(created.status, 200) << created.describe();
  const std::string token = text_at(created.json(), "/token");

  const auto listed = server().admin_http().get("/api/v1/admin/worker-tokens");
  ASSERT_EQ(listed.status, 200) << listed.describe();
  EXPECT_EQ(listed.body.find(token), std::string::npos) << "the token leaked";
  const boost::json::value body = listed.json();
  const auto& data = body.at("data").as_array();
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].as_object().size(), 5u) << boost::json::serialize(data[0]);
  EXPECT_FALSE(data[0].as_object().at("disabled").as_bool());
  EXPECT_EQ(text_at(data[0], "/name"), "gpu fleet");
  EXPECT_EQ(text_at(data[0], "/models"), "[\"" + image_model->name + "\"]");
  EXPECT_TRUE(text_at(data[0], "/created_at").ends_with("Z"));
  EXPECT_FALSE(text_at(data[0], "/id").empty());
}

TEST_F(AdminOverview, OverviewsWantTheAdminToken) {
  for (const std::string path : {"/api/v1/admin/workers", "/api/v1/admin/queue", "/api/v1/admin/worker-tokens"}) {
    EXPECT_EQ(server().http().get(path).status, 401) << path;
    EXPECT_EQ(api().get(path).status, 401) << path;
    EXPECT_EQ(server().http().with_bearer(server().create_worker_token()).get(path).status, 401) << path;
  }
}

}  // namespace
}  // namespace genq::testing
