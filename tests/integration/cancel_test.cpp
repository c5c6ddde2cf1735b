// Cancelling (SPEC §2, §8): a job that is not final can be cancelled and ends in
// error "cancelled"; its worker is told at its next call (409 lease_lost) and the job
// never becomes done; a final job cannot be cancelled (409).
#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class Cancel : public GenqTest {
 protected:
  HttpResponse cancel(const std::string& id) const {
    return api().request("POST", "/api/v1/client/request-cancel/" + id);
  }

  void expect_cancelled_answer(const HttpResponse& response, const std::string& id) {
    ASSERT_EQ(response.status, 200) << response.describe();
    const auto body = response.json();
    EXPECT_EQ(text_at(body, "/data/request_id"), id);
    EXPECT_EQ(text_at(body, "/data/status"), "error");
    EXPECT_EQ(text_at(body, "/data/error"), "cancelled");
  }

  void expect_cancelled_status(const std::string& id) {
    const auto status = status_of(id);
    ASSERT_TRUE(status);
    EXPECT_EQ(field(*status, "status"), "error") << boost::json::serialize(*status);
    EXPECT_EQ(field(*status, "error"), "cancelled") << boost::json::serialize(*status);
    EXPECT_EQ(field(*status, "result_url"), "");
  }
};

TEST_F(Cancel, PendingJobIsCancelledAndNeverHandedToAWorker) {
  const std::string id = submit(requests().minimal("txt2img"));
  expect_cancelled_answer(cancel(id), id);
  expect_cancelled_status(id);
  const auto jobs = manual_worker().claim(200ms);
  EXPECT_TRUE(jobs.empty()) << "a cancelled job was handed out";
}

TEST_F(Cancel, WorkerHoldingACancelledJobIsToldItsLeaseIsLost) {
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  ASSERT_EQ(worker.progress(*job, 40).status, 200);

  expect_cancelled_answer(cancel(id), id);

  for (const auto& [what, response] :
       std::vector<std::pair<std::string, HttpResponse>>{
           {"progress", worker.progress(*job, 60)},
           {"heartbeat", worker.heartbeat(*job)},
           {"upload", worker.upload(*job, make_png(64, 64), "image/png")},
           {"complete", worker.complete(*job)}}) {
    EXPECT_EQ(response.status, 409) << what << ": " << response.describe();
    if (response.status == 409) {
      EXPECT_EQ(text_at(response.json(), "/code"), "lease_lost") << what;
    }
  }
  expect_cancelled_status(id);
}

TEST_F(Cancel, RunningJobCancelledUnderARealWorkerNeverBecomesDone) {
  // A long job: the most steps the model allows, 1 s each. With one slot, the
  // worker can only take the next job quickly if it really dropped the cancelled one.
  JobRequest slow = requests().minimal("txt2img");
  const auto* steps = requests().param(*requests().model_for("txt2img"), "steps");
  ASSERT_TRUE(steps != nullptr && steps->max) << "txt2img model has no bounded steps";
  slow.fields["steps"] = static_cast<std::int64_t>(*steps->max);
  const std::string id = submit(slow);
  auto worker = server().start_worker({"--step-delay-ms", "1000", "--concurrency", "1"});
  ASSERT_TRUE(poll_status(api(), id, has_progress(), kJobDeadline))
      << worker->describe();

  expect_cancelled_answer(cancel(id), id);

  // The worker learns at its next progress call (within one step) and stops.
  JobRequest quick = requests().minimal("txt2img");
  quick.fields["steps"] = static_cast<std::int64_t>(steps->min.value_or(1));
  const std::string next = submit(quick);
  const auto next_started = poll_status(api(), next, is_started(), 5s);
  EXPECT_TRUE(next_started) << "the worker did not move on from the cancelled job: "
                            << worker->describe();
  const auto next_done = poll_status(api(), next, is_final(), kJobDeadline);
  ASSERT_TRUE(next_done) << worker->describe();
  EXPECT_EQ(field(*next_done, "status"), "done");
  // The worker has moved on for good, and the cancelled job stayed cancelled.
  expect_cancelled_status(id);
  EXPECT_TRUE(worker->running()) << "a lost lease must not kill the worker: "
                                 << worker->describe();
}

TEST_F(Cancel, DoneJobCannotBeCancelled) {
  const std::string id = submit(requests().minimal("txt2img"));
  const auto done = finish_by_hand(id);
  ASSERT_EQ(field(done, "status"), "done");
  const auto response = cancel(id);
  EXPECT_EQ(response.status, 409) << response.describe();
  EXPECT_NE(text_at(response.json(), "/message"), "<missing>");
  const auto after = status_of(id);
  ASSERT_TRUE(after);
  EXPECT_EQ(field(*after, "status"), "done");
  EXPECT_FALSE(field(*after, "result_url").empty());
}

TEST_F(Cancel, CancellingTwiceIsAConflict) {
  const std::string id = submit(requests().minimal("txt2img"));
  expect_cancelled_answer(cancel(id), id);
  const auto again = cancel(id);
  EXPECT_EQ(again.status, 409) << again.describe();
  expect_cancelled_status(id);
}

TEST_F(Cancel, FailedJobCannotBeCancelled) {
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  ASSERT_EQ(worker.fail(*job, "model exploded", false).status, 200);
  const auto response = cancel(id);
  EXPECT_EQ(response.status, 409) << response.describe();
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "error"), "model exploded");
}

TEST_F(Cancel, UnknownJobIsNotFound) {
  const auto response = cancel("00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(response.status, 404) << response.describe();
}

}  // namespace
}  // namespace genq::testing
