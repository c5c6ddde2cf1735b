// Working on a claimed job (docs/worker-protocol.md): progress with previews,
// heartbeats, result upload, complete and fail, as a client sees their effects.
#include <boost/json/parse.hpp>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class WorkerJob : public GenqTest {
 protected:
  // Submits a minimal `task` job and claims it by hand.
  std::pair<std::string, ClaimedJob> claimed(const std::string& task,
                                             const ManualWorker& worker) {
    const std::string id = submit(requests().minimal(task));
    auto job = worker.claim_job(id, kJobDeadline);
    if (!job) {
      throw std::runtime_error("could not claim " + id);
    }
    return {id, *job};
  }
};

TEST_F(WorkerJob, ProgressMovesTheJobToInProgressWithAPreview) {
  const ManualWorker worker = manual_worker();
  const auto [id, job] = claimed("txt2img", worker);
  const std::string jpeg = make_jpeg(32, 32);
  const auto response = worker.progress(job, 45.5, jpeg);
  ASSERT_EQ(response.status, 200) << response.describe();
  EXPECT_EQ(text_at(response.json(), "/lease_ms"), std::to_string(job.lease_ms));

  const auto status = status_of(id);
  ASSERT_TRUE(status);
  // Polling reads in_progress as "processing" (deAPI's SDK knows four statuses) and
  // progress as a JSON number.
  EXPECT_EQ(field(*status, "status"), "processing");
  ASSERT_TRUE(status->at("progress").is_number()) << boost::json::serialize(*status);
  EXPECT_DOUBLE_EQ(status->at("progress").to_number<double>(), 45.5);
  EXPECT_EQ(field(*status, "preview"), "data:image/jpeg;base64," + base64_encode(jpeg));
  const auto raw = api().get("/api/v1/client/request-status/" + id);
  EXPECT_NE(raw.body.find("\"progress\":45.5,"), std::string::npos) << "plain decimal on the wire: " << raw.body;

  ASSERT_EQ(worker.progress(job, 80.125).status, 200);
  const auto later = status_of(id);
  ASSERT_TRUE(later);
  EXPECT_DOUBLE_EQ(later->at("progress").to_number<double>(), 80.13);
  EXPECT_EQ(field(*later, "status"), "processing");
}

TEST_F(WorkerJob, ProgressOutsideZeroToHundredIsRefused) {
  const ManualWorker worker = manual_worker();
  const auto [id, job] = claimed("txt2img", worker);
  EXPECT_EQ(worker.progress(job, 150).status, 422);
  EXPECT_EQ(worker.progress(job, -1).status, 422);
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->at("progress").to_number<double>(), 0.0) << "a refused progress must not be stored";
}

TEST_F(WorkerJob, PreviewThatIsNotBase64IsRefused) {
  const ManualWorker worker = manual_worker();
  const auto [id, job] = claimed("txt2img", worker);
  const auto response = worker.http().post_json(
      "/api/v1/worker/jobs/" + job.job_id + "/progress",
      boost::json::object{{"lease_id", job.lease_id}, {"progress", 10}, {"preview", "%%%not base64%%%"}});
  EXPECT_EQ(response.status, 422) << response.describe();
}

TEST_F(WorkerJob, HeartbeatAnswersWithTheLease) {
  const ManualWorker worker = manual_worker();
  const auto [id, job] = claimed("txt2img", worker);
  const auto response = worker.heartbeat(job);
  ASSERT_EQ(response.status, 200) << response.describe();
  EXPECT_EQ(text_at(response.json(), "/lease_ms"), std::to_string(job.lease_ms));
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "status"), "processing") << "a heartbeat is not progress";
}

TEST_F(WorkerJob, UploadedResultIsServedAtTheResultUrl) {
  const ManualWorker worker = manual_worker();
  const auto [id, job] = claimed("txt2img", worker);
  const std::string png = make_png(64, 64);
  const auto uploaded = worker.upload(job, png, "image/png");
  ASSERT_EQ(uploaded.status, 200) << uploaded.describe();
  EXPECT_EQ(text_at(uploaded.json(), "/bytes"), std::to_string(png.size()));
  const auto completed = worker.complete(job);
  ASSERT_EQ(completed.status, 200) << completed.describe();
  EXPECT_EQ(text_at(completed.json(), "/status"), "done");

  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "status"), "done");
  EXPECT_EQ(field(*status, "preview"), "");
  const auto download = HttpClient(server().base_url()).get(field(*status, "result_url"));
  ASSERT_EQ(download.status, 200) << download.describe();
  EXPECT_EQ(download.body, png);
  EXPECT_EQ(download.header("content-type").value_or(""), "image/png");
}

TEST_F(WorkerJob, UploadingAgainReplacesTheResult) {
  const ManualWorker worker = manual_worker();
  const auto [id, job] = claimed("txt2img", worker);
  ASSERT_EQ(worker.upload(job, make_png(64, 64), "image/png").status, 200);
  const std::string final_png = make_png(32, 16);
  ASSERT_EQ(worker.upload(job, final_png, "image/png").status, 200);
  ASSERT_EQ(worker.complete(job).status, 200);
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  const auto download = HttpClient(server().base_url()).get(field(*status, "result_url"));
  EXPECT_EQ(download.body, final_png);
}

TEST_F(WorkerJob, ImageJobCannotCompleteWithoutAResultFile) {
  const ManualWorker worker = manual_worker();
  const auto [id, job] = claimed("txt2img", worker);
  const auto response = worker.complete(job);
  EXPECT_EQ(response.status, 422) << response.describe();
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "status"), "processing") << "a refused complete changes nothing";
}

TEST_F(WorkerJob, TextResultIsInlineAndDownloadable) {
  const ManualWorker worker = manual_worker();
  const auto [id, job] = claimed("transcribe", worker);
  EXPECT_EQ(job.output, "text");
  const auto completed = worker.complete(job, "hello from the worker");
  ASSERT_EQ(completed.status, 200) << completed.describe();
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "status"), "done");
  EXPECT_EQ(field(*status, "result"), "hello from the worker");
  const auto download = HttpClient(server().base_url()).get(field(*status, "result_url"));
  ASSERT_EQ(download.status, 200) << "text results get a result_url too: " << download.describe();
  EXPECT_EQ(download.body, "hello from the worker");
}

TEST_F(WorkerJob, JsonResultIsInlineAndDownloadable) {
  const ManualWorker worker = manual_worker();
  const auto [id, job] = claimed("txt2embedding", worker);
  EXPECT_EQ(job.output, "json");
  const boost::json::object embedding{{"embedding", boost::json::array{0.5, -0.25, 1}}};
  ASSERT_EQ(worker.complete(job, embedding).status, 200);
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  // deAPI's SDK types result as a string: JSON outputs arrive as their JSON text.
  const auto* result = status->if_contains("result");
  ASSERT_NE(result, nullptr);
  ASSERT_TRUE(result->is_string()) << boost::json::serialize(*status);
  EXPECT_EQ(boost::json::parse(result->get_string()), boost::json::value(embedding)) << boost::json::serialize(*status);
  const auto download = HttpClient(server().base_url()).get(field(*status, "result_url"));
  ASSERT_EQ(download.status, 200) << download.describe();
  EXPECT_EQ(download.json(), boost::json::value(embedding));
}

TEST_F(WorkerJob, FailEndsTheJobInErrorWithTheWorkersMessage) {
  const ManualWorker worker = manual_worker();
  const auto [id, job] = claimed("txt2img", worker);
  const auto failed = worker.fail(job, "CUDA out of memory", false);
  ASSERT_EQ(failed.status, 200) << failed.describe();
  EXPECT_EQ(text_at(failed.json(), "/status"), "error");
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "status"), "error");
  EXPECT_EQ(field(*status, "error"), "CUDA out of memory");
  ASSERT_TRUE(status->at("progress").is_number()) << "a number also on error: " << boost::json::serialize(*status);
  EXPECT_TRUE(status->at("result").is_null());
  EXPECT_EQ(worker.complete(job).status, 409) << "a failed job's lease is over";
}

TEST_F(WorkerJob, RetryableFailRequeuesForAnotherAttempt) {
  const ManualWorker worker = manual_worker();
  const auto [id, job] = claimed("txt2img", worker);
  const auto failed = worker.fail(job, "node is draining", true);
  ASSERT_EQ(failed.status, 200) << failed.describe();
  EXPECT_EQ(text_at(failed.json(), "/status"), "pending");
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "status"), "pending");
  const auto retry = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->attempt, 2);
}

TEST_F(WorkerJob, ReleaseGivesTheJobBackWithoutCountingTheAttempt) {
  const ManualWorker worker = manual_worker();
  const auto [id, job] = claimed("txt2img", worker);
  ASSERT_EQ(worker.progress(job, 30).status, 200);
  const auto released = worker.http().post_json("/api/v1/worker/jobs/" + id + "/release",
                                                boost::json::object{{"lease_id", job.lease_id}});
  ASSERT_EQ(released.status, 200) << released.describe();
  EXPECT_EQ(text_at(released.json(), "/status"), "pending");
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "status"), "pending");
  EXPECT_EQ(status->at("progress").to_number<double>(), 0.0) << "progress cleared";
  EXPECT_EQ(status->at("attempts").as_int64(), 0);

  // The old lease is gone; the next claim is attempt 1 again.
  const auto again = worker.http().post_json("/api/v1/worker/jobs/" + id + "/release",
                                             boost::json::object{{"lease_id", job.lease_id}});
  EXPECT_EQ(again.status, 409) << again.describe();
  const auto retry = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->attempt, 1);
}

TEST_F(WorkerJob, CallsAboutAnUnknownJobAreNotFound) {
  const ManualWorker worker = manual_worker();
  ClaimedJob ghost;
  ghost.job_id = "00000000-0000-4000-8000-000000000000";
  ghost.lease_id = "ls_ghost";
  EXPECT_EQ(worker.progress(ghost, 10).status, 404);
  EXPECT_EQ(worker.heartbeat(ghost).status, 404);
  EXPECT_EQ(worker.complete(ghost).status, 404);
}

TEST_F(WorkerJob, AnotherLeaseIdIsALostLease) {
  const ManualWorker worker = manual_worker();
  auto [id, job] = claimed("txt2img", worker);
  job.lease_id = "ls_not_the_real_one";
  const auto response = worker.progress(job, 10);
  EXPECT_EQ(response.status, 409) << response.describe();
  EXPECT_EQ(text_at(response.json(), "/code"), "lease_lost");
}

}  // namespace
}  // namespace genq::testing
