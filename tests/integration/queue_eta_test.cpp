// Queue position and ETA (docs/api.md, "Queue and ETA"): a pending job's
// estimated_wait_s comes from its model's recent rate and grows with its place in the
// queue; GET /api/v1/client/queue shows every model's waiting and running jobs, its
// workers, its rate and the wait of a job submitted now.
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class QueueEta : public GenqTest {
 protected:
  boost::json::object model_entry(const std::string& model) const {
    const auto answer = api().get("/api/v1/client/queue");
    EXPECT_EQ(answer.status, 200) << answer.describe();
    if (answer.status != 200) return {};
    const boost::json::value body = answer.json();
    for (const auto& item : body.at("data").as_array()) {
      if (item.at("model").as_string() == model) return item.as_object();
    }
    ADD_FAILURE() << model << " is not listed: " << answer.body;
    return {};
  }
};

TEST_F(QueueEta, WithoutARecentRateTheWaitIsUnknownNotGuessed) {
  const std::string id = submit(requests().minimal("txt2img"));
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(text_at(*status, "/queue_position"), "0");
  EXPECT_TRUE(status->at("estimated_wait_s").is_null());
  const auto entry = model_entry(text_at(*status, "/model"));
  EXPECT_EQ(entry.at("pending").as_int64(), 1);
  EXPECT_EQ(entry.at("running").as_int64(), 0);
  EXPECT_EQ(entry.at("workers").as_int64(), 0);
  EXPECT_TRUE(entry.at("jobs_per_minute").is_null());
  EXPECT_TRUE(entry.at("estimated_wait_s").is_null());
}

TEST_F(QueueEta, APendingJobsWaitGrowsWithItsPlaceAtTheModelsRecentRate) {
  for (int i = 0; i < 3; ++i) finish_by_hand(submit(requests().minimal("txt2img")));
  std::vector<std::string> waiting;
  for (int i = 0; i < 4; ++i) waiting.push_back(submit(requests().minimal("txt2img")));

  const std::string model = text_at(*status_of(waiting[0]), "/model");
  const auto entry = model_entry(model);
  EXPECT_EQ(entry.at("pending").as_int64(), 4);
  ASSERT_TRUE(entry.at("jobs_per_minute").is_number()) << boost::json::serialize(entry);
  // Three done, over the rate's 10 s minimum span or longer: at most 18 a minute.
  const double per_minute = entry.at("jobs_per_minute").to_number<double>();
  EXPECT_GT(per_minute, 0);
  EXPECT_LE(per_minute, 18.05);
  // A job submitted now is fifth in line.
  EXPECT_NEAR(entry.at("estimated_wait_s").to_number<double>(), 5 * 60 / per_minute, 0.1 * 5 * 60 / per_minute);

  double previous = 0;
  for (std::size_t place = 0; place < waiting.size(); ++place) {
    const auto status = status_of(waiting[place]);
    ASSERT_TRUE(status);
    EXPECT_EQ(text_at(*status, "/queue_position"), std::to_string(place));
    ASSERT_TRUE(status->at("estimated_wait_s").is_number()) << boost::json::serialize(*status);
    const double wait = status->at("estimated_wait_s").to_number<double>();
    EXPECT_GT(wait, previous) << "place " << place;
    // The jobs ahead and then this one, each at the model's rate.
    const double expected = static_cast<double>(place + 1) * 60 / per_minute;
    EXPECT_NEAR(wait, expected, 0.1 * expected) << "place " << place;
    previous = wait;
  }
  // The worker that finished them by hand counts for the model once its calls are
  // recorded (every 3 s).
  EXPECT_TRUE(wait_until(10s, [&] { return model_entry(model).at("workers").as_int64() >= 1; }));

  // Once claimed, a job has no place and no wait.
  const ManualWorker worker = manual_worker();
  ASSERT_TRUE(worker.claim_job(waiting[0], kJobDeadline));
  const auto claimed = status_of(waiting[0]);
  ASSERT_TRUE(claimed);
  EXPECT_TRUE(claimed->at("queue_position").is_null());
  EXPECT_TRUE(claimed->at("estimated_wait_s").is_null());
}

TEST_F(QueueEta, TheQueueNeedsAnApiKey) {
  EXPECT_EQ(server().http().get("/api/v1/client/queue").status, 401);
}

}  // namespace
}  // namespace genq::testing
