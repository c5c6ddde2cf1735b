// Who may work and within which limits (SPEC §1, §8): worker tokens, tokens limited
// to models, lease keeping by heartbeat, preview and result size limits.
#include <thread>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class WorkerAccess : public GenqTest {};

TEST_F(WorkerAccess, MissingOrWrongTokenIsUnauthenticated) {
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker real = manual_worker();
  const auto job = real.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);

  for (const auto& [who, http] : std::vector<std::pair<std::string, HttpClient>>{
           {"no token", server().http()},
           {"wrong token", server().http().with_bearer("wrk_not_a_token")},
           {"client api key", server().http().with_bearer(client().api_key)}}) {
    const auto claim = http.post_json("/api/v1/worker/claim", boost::json::object{{"wait_ms", 0}});
    EXPECT_EQ(claim.status, 401) << who << ": " << claim.describe();
    if (claim.status == 401) {
      EXPECT_EQ(text_at(claim.json(), "/message"), "Unauthenticated.");
    }
    const auto progress =
        http.post_json("/api/v1/worker/jobs/" + job->job_id + "/progress",
                       boost::json::object{{"lease_id", job->lease_id}, {"progress", 50}});
    EXPECT_EQ(progress.status, 401) << who << ": " << progress.describe();
  }
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->at("progress").to_number<double>(), 0.0) << "an unauthenticated progress was applied";
}

TEST_F(WorkerAccess, ALeaseWorksOnlyUnderTheTokenThatClaimedIt) {
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker owner = manual_worker();
  const auto job = owner.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  // Another valid token that knows the job id and its lease id (a leaked log line).
  const ManualWorker other = manual_worker();
  auto expect_lease_lost = [](const HttpResponse& response, const char* call) {
    EXPECT_EQ(response.status, 409) << call << ": " << response.describe();
    if (response.status == 409) {
      EXPECT_EQ(text_at(response.json(), "/code"), "lease_lost") << call;
    }
  };
  expect_lease_lost(other.heartbeat(*job), "heartbeat");
  expect_lease_lost(other.progress(*job, 60), "progress");
  expect_lease_lost(other.upload(*job, "not the result", "image/png"), "upload");
  expect_lease_lost(other.complete(*job), "complete");
  expect_lease_lost(other.fail(*job, "sabotage", false), "fail");
  const auto batch = other.http().post_json(
      "/api/v1/worker/complete",
      boost::json::object{
          {"jobs", boost::json::array{boost::json::object{{"job_id", job->job_id}, {"lease_id", job->lease_id}}}}});
  ASSERT_EQ(batch.status, 200) << batch.describe();
  EXPECT_EQ(text_at(batch.json(), "/jobs/0/status"), "refused") << batch.body;
  EXPECT_EQ(text_at(batch.json(), "/jobs/0/code"), "lease_lost") << batch.body;
  const auto released = other.http().post_json("/api/v1/worker/jobs/" + job->job_id + "/release",
                                                boost::json::object{{"lease_id", job->lease_id}});
  expect_lease_lost(released, "release");

  // None of it touched the job: its owner still holds the lease and finishes it.
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "status"), "processing");
  EXPECT_EQ(status->at("progress").to_number<double>(), 0.0);
  const auto finished = owner.finish(*job);
  ASSERT_EQ(finished.status, 200) << finished.describe();
  EXPECT_TRUE(poll_status(api(), id, status_is("done"), kJobDeadline));
}

TEST_F(WorkerAccess, TokenLimitedToModelsOnlyGetsThoseModels) {
  const auto* image_model = requests().model_for("txt2img");
  const auto* audio_model = requests().model_for("txt2audio");
  ASSERT_NE(image_model->name, audio_model->name);
  const std::string audio_job = submit(requests().minimal("txt2audio"));
  const std::string image_job = submit(requests().minimal("txt2img"));

  const ManualWorker image_only = manual_worker({image_model->name});
  // Asking for everything, or for the other model, still yields only its own.
  const auto jobs = image_only.claim(kShortWait, {}, 32);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs.front().job_id, image_job);
  // Asking only for a model the token may not serve: no job, either as an empty
  // answer or as a 422 naming "models".
  const auto refused = image_only.claim_raw(boost::json::object{
      {"models", boost::json::array{boost::json::string(audio_model->name)}},
      {"max_jobs", 32},
      {"wait_ms", 200}});
  if (refused.status == 200) {
    EXPECT_EQ(text_at(refused.json(), "/jobs"), "[]")
        << "a token limited to " << image_model->name << " got " << audio_model->name;
  } else {
    EXPECT_EQ(refused.status, 422) << refused.describe();
  }

  const auto audio = manual_worker({audio_model->name}).claim(kShortWait, {}, 32);
  ASSERT_EQ(audio.size(), 1u);
  EXPECT_EQ(audio.front().job_id, audio_job);
}

TEST_F(WorkerAccess, SyntheticWorkerWithALimitedTokenLeavesOtherModelsPending) {
  const auto* image_model = requests().model_for("txt2img");
  const std::string audio_job = submit(requests().minimal("txt2audio"));
  const std::string image_job = submit(requests().minimal("txt2img"));
  auto worker = server().start_worker(
      {"--token", server().create_worker_token({image_model->name}), "--step-delay-ms", "5"});
  const auto done = poll_status(api(), image_job, is_final(), kJobDeadline);
  ASSERT_TRUE(done) << worker->describe();
  EXPECT_EQ(field(*done, "status"), "done");
  const auto audio = status_of(audio_job);
  ASSERT_TRUE(audio);
  EXPECT_EQ(field(*audio, "status"), "pending");
}

class WorkerLease : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override { return {"--lease-ms", "1500"}; }
};

TEST_F(WorkerLease, HeartbeatsKeepAJobPastItsLease) {
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->lease_ms, 1500);
  // Three lease lengths, heartbeating at the advertised interval.
  const auto end = std::chrono::steady_clock::now() + 4500ms;
  while (std::chrono::steady_clock::now() < end) {
    // Beat on a fixed cadence, as a worker does: time spent in the calls below (long
    // under ASan on a loaded machine) must not stretch the interval between beats.
    const auto next_beat = std::chrono::steady_clock::now() + std::chrono::milliseconds(job->heartbeat_ms);
    const auto beat = worker.heartbeat(*job);
    ASSERT_EQ(beat.status, 200) << beat.describe();
    const auto status = status_of(id);
    ASSERT_TRUE(status);
    ASSERT_EQ(field(*status, "status"), "processing") << "job requeued despite heartbeats";
    std::this_thread::sleep_until(next_beat);
  }
  EXPECT_EQ(worker.finish(*job).status, 200);
}

class WorkerSizeLimits : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override {
    return {"--max-preview-bytes", "2048", "--max-result-bytes", "65536"};
  }
};

TEST_F(WorkerSizeLimits, OversizedPreviewIsTooLarge) {
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  const std::string big = make_jpeg(256, 256);
  ASSERT_GT(big.size(), 2048u);
  const auto response = worker.progress(*job, 10, big);
  EXPECT_EQ(response.status, 413) << response.describe();
  EXPECT_EQ(worker.progress(*job, 20, make_jpeg(8, 8)).status, 200) << "a small preview is fine";
}

TEST_F(WorkerSizeLimits, OversizedResultIsTooLarge) {
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  const auto response = worker.upload(*job, std::string(256 * 1024, 'x'), "image/png");
  EXPECT_EQ(response.status, 413) << response.describe();
  EXPECT_EQ(worker.complete(*job).status, 422) << "nothing was stored, so there is no result";
  EXPECT_EQ(worker.finish(*job).status, 200) << "a result within the limit is accepted";
}

}  // namespace
}  // namespace genq::testing
