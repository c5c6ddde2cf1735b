// GET /api/v1/client/jobs and GET /api/v1/admin/jobs (docs/api.md, "Listing jobs" and
// "Admin API"): a client's jobs or anyone's, newest first, paged like the usage list,
// filtered by status and task, each item the request-status document without preview.
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class JobLists : public GenqTest {
 protected:
  boost::json::value client_jobs(const std::string& query = "") const {
    const auto answer = api().get("/api/v1/client/jobs" + query);
    EXPECT_EQ(answer.status, 200) << answer.describe();
    return answer.status == 200 ? answer.json() : boost::json::value();
  }
  boost::json::value admin_jobs(const std::string& query = "") const {
    const auto answer = server().admin_http().get("/api/v1/admin/jobs" + query);
    EXPECT_EQ(answer.status, 200) << answer.describe();
    return answer.status == 200 ? answer.json() : boost::json::value();
  }
  static std::vector<std::string> ids_in(const boost::json::value& page) {
    std::vector<std::string> ids;
    if (const auto* data = json_at(page, "/data"); data && data->is_array()) {
      for (const auto& item : data->as_array()) ids.push_back(text_at(item, "/request_id"));
    }
    return ids;
  }
};

TEST_F(JobLists, AClientSeesItsOwnJobsNewestFirstAsRequestStatusShowsThem) {
  const std::string first = submit(requests().minimal("txt2img"));
  const std::string second = submit(requests().minimal("txt2audio"));
  const auto other = server().create_client("other");
  const std::string foreign = request_id_of(requests().minimal("txt2img").submit(server().client_http(other)));

  const auto page = client_jobs();
  EXPECT_EQ(ids_in(page), (std::vector<std::string>{second, first})) << "never another client's job " << foreign;
  // Each item is the request-status document (preview null: a list carries none).
  const auto status = status_of(first);
  ASSERT_TRUE(status);
  const auto* item = json_at(page, "/data/1");
  ASSERT_TRUE(item && item->is_object());
  EXPECT_EQ(item->as_object().size(), status->size());
  for (const auto& [key, value] : *status) {
    const auto* listed = item->as_object().if_contains(key);
    ASSERT_NE(listed, nullptr) << "list item lacks " << key;
    if (key != "queue_position") {
      EXPECT_EQ(*listed, value) << key;
    }
  }
  EXPECT_EQ(item->as_object().if_contains("client_id"), nullptr) << "the client list does not name clients";
  // The pagination block of GET /usage.
  EXPECT_EQ(text_at(page, "/meta/total"), "2");
  EXPECT_EQ(text_at(page, "/meta/current_page"), "1");
  EXPECT_EQ(text_at(page, "/meta/per_page"), "15");
  EXPECT_EQ(text_at(page, "/meta/from"), "1");
  EXPECT_EQ(text_at(page, "/meta/to"), "2");
  EXPECT_EQ(text_at(page, "/meta/path"), server().base_url() + "/api/v1/client/jobs");
  EXPECT_EQ(text_at(page, "/links/next"), "null");

  EXPECT_EQ(ids_in(server().client_http(other).get("/api/v1/client/jobs").json()),
            (std::vector<std::string>{foreign}));
}

TEST_F(JobLists, ListsArePagedAndTheLinksKeepTheFilters) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(submit(requests().minimal("txt2img")));
  submit(requests().minimal("txt2audio"));
  const auto first = client_jobs("?task=txt2img&per_page=2");
  EXPECT_EQ(ids_in(first), (std::vector<std::string>{ids[4], ids[3]}));
  EXPECT_EQ(text_at(first, "/meta/total"), "5");
  EXPECT_EQ(text_at(first, "/meta/last_page"), "3");
  const std::string next = text_at(first, "/links/next");
  EXPECT_EQ(next, server().base_url() + "/api/v1/client/jobs?page=2&per_page=2&task=txt2img");
  const auto last = client_jobs("?task=txt2img&per_page=2&page=3");
  EXPECT_EQ(ids_in(last), (std::vector<std::string>{ids[0]}));
  EXPECT_EQ(text_at(last, "/meta/from"), "5");
  const auto past = client_jobs("?page=9");
  EXPECT_TRUE(ids_in(past).empty());
  EXPECT_EQ(text_at(past, "/meta/from"), "null");
}

TEST_F(JobLists, StatusFilterReadsAsTheStatusDocumentDoes) {
  const std::string failed = submit(requests().minimal("txt2img"));
  const std::string running = submit(requests().minimal("txt2img"));
  const std::string waiting = submit(requests().minimal("txt2img"));
  const ManualWorker worker = manual_worker();
  const auto claimed = worker.claim_job(failed, kJobDeadline);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(worker.fail(*claimed, "out of memory", false).status, 200);
  const auto leased = worker.claim_job(running, kJobDeadline);
  ASSERT_TRUE(leased);
  ASSERT_EQ(worker.progress(*leased, 50).status, 200);  // in_progress in the store

  EXPECT_EQ(ids_in(client_jobs("?status=error")), (std::vector<std::string>{failed}));
  const auto processing = client_jobs("?status=processing");
  EXPECT_EQ(ids_in(processing), (std::vector<std::string>{running}));
  EXPECT_EQ(text_at(processing, "/data/0/status"), "processing");
  EXPECT_EQ(ids_in(client_jobs("?status=pending")), (std::vector<std::string>{waiting}));
  EXPECT_TRUE(ids_in(client_jobs("?status=done")).empty());
  EXPECT_TRUE(ids_in(client_jobs("?status=pending&task=txt2audio")).empty());
}

TEST_F(JobLists, BadQueryValuesAnswer422AndMissingKeys401) {
  for (const std::string query : {"?status=in_progress", "?status=", "?task=nope", "?per_page=101", "?page=0"}) {
    const auto answer = api().get("/api/v1/client/jobs" + query);
    EXPECT_EQ(answer.status, 422) << query << ": " << answer.describe();
    EXPECT_NE(json_at(answer.json(), "/errors"), nullptr) << query;
    const auto admin = server().admin_http().get("/api/v1/admin/jobs" + query);
    EXPECT_EQ(admin.status, 422) << query << ": " << admin.describe();
  }
  EXPECT_EQ(text_at(api().get("/api/v1/client/jobs?status=running").json(), "/errors/status/0"),
            "The status field must be one of pending, processing, done, error.");
  EXPECT_EQ(server().admin_http().get("/api/v1/admin/jobs?client_id=").status, 422);
  EXPECT_EQ(server().http().get("/api/v1/client/jobs").status, 401);
  EXPECT_EQ(server().http().with_bearer("wrong").get("/api/v1/client/jobs").status, 401);
  EXPECT_EQ(server().http().get("/api/v1/admin/jobs").status, 401);
  EXPECT_EQ(api().get("/api/v1/admin/jobs").status, 401) << "an API key is not the admin token";
}

TEST_F(JobLists, TheAdminListsAnyClientsJobsWithClientAndWorker) {
  const std::string mine = submit(requests().minimal("txt2img"));
  const auto other = server().create_client("other");
  const std::string theirs = request_id_of(requests().minimal("txt2img").submit(server().client_http(other)));
  const ManualWorker worker = manual_worker();
  const auto claimed = worker.claim_job(mine, kJobDeadline);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(worker.fail(*claimed, "out of memory", false).status, 200);

  const auto all = admin_jobs();
  EXPECT_EQ(ids_in(all), (std::vector<std::string>{theirs, mine}));
  EXPECT_EQ(text_at(all, "/data/0/client_id"), other.client_id);
  EXPECT_EQ(text_at(all, "/data/0/worker_id"), "");
  EXPECT_EQ(text_at(all, "/data/1/client_id"), client().client_id);
  EXPECT_EQ(text_at(all, "/data/1/worker_id"), "manual-worker");
  EXPECT_EQ(text_at(all, "/data/1/preview"), "null");
  EXPECT_EQ(text_at(all, "/meta/path"), server().base_url() + "/api/v1/admin/jobs");
  // The same item GET /api/v1/admin/jobs/{id} answers.
  const auto single = server().admin_http().get("/api/v1/admin/jobs/" + mine).json();
  for (const auto& [key, value] : json_at(single, "/data")->as_object()) {
    if (key == "queue_position") continue;
    EXPECT_EQ(text_at(all, "/data/1/" + std::string(key)), text_at(value, "")) << key;
  }

  // "Recent failures", and one client's jobs.
  EXPECT_EQ(ids_in(admin_jobs("?status=error")), (std::vector<std::string>{mine}));
  const auto filtered = admin_jobs("?client_id=" + other.client_id + "&per_page=1");
  EXPECT_EQ(ids_in(filtered), (std::vector<std::string>{theirs}));
  EXPECT_EQ(text_at(filtered, "/links/first"),
            server().base_url() + "/api/v1/admin/jobs?page=1&per_page=1&client_id=" + other.client_id);
  EXPECT_TRUE(ids_in(admin_jobs("?client_id=nobody")).empty());
}

}  // namespace
}  // namespace genq::testing
