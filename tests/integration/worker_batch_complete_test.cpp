// POST /api/v1/worker/complete (docs/worker-protocol.md): many jobs completed in one
// request, each answered on its own.
#include <boost/json/parse.hpp>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class WorkerBatchComplete : public GenqTest {
 protected:
  // Submits `count` transcribe jobs (text output: no file needed) and claims them all.
  std::vector<ClaimedJob> claimed(const ManualWorker& worker, int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) ids.push_back(submit(requests().minimal("transcribe")));
    std::vector<ClaimedJob> jobs;
    const auto deadline = std::chrono::steady_clock::now() + kJobDeadline;
    while (jobs.size() < ids.size() && std::chrono::steady_clock::now() < deadline) {
      for (auto& job : worker.claim(kShortWait, {requests().model_for("transcribe")->name}, count)) {
        jobs.push_back(std::move(job));
      }
    }
    if (jobs.size() != ids.size()) throw std::runtime_error("could not claim every job");
    return jobs;
  }

  HttpResponse complete_batch(const ManualWorker& worker, const boost::json::value& body) {
    return worker.http().post_json("/api/v1/worker/complete", body);
  }
};

TEST_F(WorkerBatchComplete, EveryJobOfTheBatchIsDoneWithItsOwnResult) {
  const ManualWorker worker = manual_worker();
  const auto jobs = claimed(worker, 3);
  boost::json::array items;
  for (const auto& job : jobs) {
    items.push_back({{"job_id", job.job_id}, {"lease_id", job.lease_id}, {"result", "text of " + job.job_id}});
  }
  const auto response = complete_batch(worker, boost::json::object{{"jobs", items}});
  ASSERT_EQ(response.status, 200) << response.describe();
  const boost::json::value answer = response.json();
  const auto& results = answer.at("jobs").as_array();
  ASSERT_EQ(results.size(), jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    EXPECT_EQ(results[i].at("job_id").as_string(), jobs[i].job_id) << "answers come in the order sent";
    EXPECT_EQ(results[i].at("status").as_string(), "done");
    const auto status = status_of(jobs[i].job_id);
    ASSERT_TRUE(status);
    EXPECT_EQ(field(*status, "status"), "done");
    EXPECT_EQ(field(*status, "result"), "text of " + jobs[i].job_id);
  }
}

TEST_F(WorkerBatchComplete, ALostLeaseIsRefusedAloneAndTheOthersAreDone) {
  const ManualWorker worker = manual_worker();
  const auto jobs = claimed(worker, 2);
  const auto response = complete_batch(
      worker, boost::json::object{{"jobs", boost::json::array{
                                           {{"job_id", jobs[0].job_id}, {"lease_id", "ls_not_the_lease"}},
                                           {{"job_id", jobs[1].job_id}, {"lease_id", jobs[1].lease_id}, {"result", "ok"}},
                                           {{"job_id", "00000000-0000-7000-8000-000000000000"}, {"lease_id", "ls_x"}}}}});
  ASSERT_EQ(response.status, 200) << response.describe();
  const boost::json::value answer = response.json();
  const auto& results = answer.at("jobs").as_array();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].at("status").as_string(), "refused");
  EXPECT_EQ(results[0].at("http_status").as_int64(), 409);
  EXPECT_EQ(results[0].at("code").as_string(), "lease_lost");
  EXPECT_EQ(results[1].at("status").as_string(), "done");
  EXPECT_EQ(results[2].at("status").as_string(), "refused");
  EXPECT_EQ(results[2].at("http_status").as_int64(), 404);

  const auto first = status_of(jobs[0].job_id);
  ASSERT_TRUE(first);
  EXPECT_EQ(field(*first, "status"), "processing") << "a refused completion changes nothing";
  const auto second = status_of(jobs[1].job_id);
  ASSERT_TRUE(second);
  EXPECT_EQ(field(*second, "status"), "done");
}

TEST_F(WorkerBatchComplete, TheSameJobTwiceIsDoneOnceAndRefusedOnce) {
  const ManualWorker worker = manual_worker();
  const auto jobs = claimed(worker, 1);
  const boost::json::object item{{"job_id", jobs[0].job_id}, {"lease_id", jobs[0].lease_id}, {"result", "once"}};
  const auto response = complete_batch(worker, boost::json::object{{"jobs", boost::json::array{item, item}}});
  ASSERT_EQ(response.status, 200) << response.describe();
  const boost::json::value answer = response.json();
  const auto& results = answer.at("jobs").as_array();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].at("status").as_string(), "done");
  EXPECT_EQ(results[1].at("status").as_string(), "refused");
  EXPECT_EQ(results[1].at("http_status").as_int64(), 409);
}

TEST_F(WorkerBatchComplete, MalformedBatchesAreRefusedWholeAndNameTheField) {
  const ManualWorker worker = manual_worker();
  const auto jobs = claimed(worker, 1);
  EXPECT_EQ(complete_batch(worker, boost::json::object{}).status, 422);
  EXPECT_EQ(complete_batch(worker, boost::json::object{{"jobs", boost::json::array{}}}).status, 422);
  boost::json::array too_many;
  for (int i = 0; i < 65; ++i) too_many.push_back({{"job_id", jobs[0].job_id}, {"lease_id", jobs[0].lease_id}});
  EXPECT_EQ(complete_batch(worker, boost::json::object{{"jobs", too_many}}).status, 422);

  const auto missing = complete_batch(
      worker, boost::json::object{{"jobs", boost::json::array{
                                           {{"job_id", jobs[0].job_id}, {"lease_id", jobs[0].lease_id}},
                                           {{"job_id", jobs[0].job_id}}}}});
  ASSERT_EQ(missing.status, 422) << missing.describe();
  const boost::json::value errors = missing.json();
  EXPECT_TRUE(errors.at("errors").as_object().contains("jobs.1.lease_id")) << missing.body;
  const auto status = status_of(jobs[0].job_id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "status"), "processing") << "nothing of a refused batch is applied";

  EXPECT_EQ(worker.http().request("POST", "/api/v1/worker/complete", "{not json", "application/json").status, 400);
  EXPECT_EQ(HttpClient(server().base_url()).post_json("/api/v1/worker/complete", boost::json::object{}).status, 401)
      << "a worker token is required";
}

}  // namespace
}  // namespace genq::testing
