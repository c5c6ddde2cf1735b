// Claiming jobs (docs/worker-protocol.md, SPEC §8): the long-poll answers
// {"jobs":[]} after wait_ms when nothing waits, wakes as soon as a job is submitted,
// hands each job to one worker, oldest first, in the documented shape.
#include <future>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class WorkerClaim : public GenqTest {};

TEST_F(WorkerClaim, EmptyClaimAnswersWithNoJobsAfterWaitMs) {
  const ManualWorker worker = manual_worker();
  const auto response =
      worker.claim_raw(boost::json::object{{"worker_id", "idle"}, {"wait_ms", 400}});
  ASSERT_EQ(response.status, 200) << response.describe();
  EXPECT_EQ(text_at(response.json(), "/jobs"), "[]");
  EXPECT_GE(response.elapsed, 350ms) << "the claim did not wait";
  EXPECT_LT(response.elapsed, 3s) << "the claim waited far beyond wait_ms";
}

TEST_F(WorkerClaim, ZeroWaitAnswersAtOnce) {
  const auto response =
      manual_worker().claim_raw(boost::json::object{{"worker_id", "idle"}, {"wait_ms", 0}});
  ASSERT_EQ(response.status, 200) << response.describe();
  EXPECT_EQ(text_at(response.json(), "/jobs"), "[]");
  EXPECT_LT(response.elapsed, 1s);
}

TEST_F(WorkerClaim, ZeroWaitClaimStillHandsOutAPendingJob) {
  // wait_ms 0 means "don't wait", not "don't look": a polling worker must get work.
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker worker = manual_worker();
  for (int attempt = 0; attempt < 5; ++attempt) {
    const auto response =
        worker.claim_raw(boost::json::object{{"worker_id", "poller"}, {"wait_ms", 0}});
    ASSERT_EQ(response.status, 200) << response.describe();
    const std::string got = text_at(response.json(), "/jobs/0/job_id");
    EXPECT_EQ(got, id) << "claim " << attempt + 1 << " with wait_ms 0 missed the pending job";
    if (got == id) {
      break;
    }
  }
}

TEST_F(WorkerClaim, WaitingClaimWakesAsSoonAsAJobIsSubmitted) {
  const ManualWorker worker = manual_worker();
  auto claim = std::async(std::launch::async, [&] {
    return worker.claim_raw(boost::json::object{{"worker_id", "waiter"}, {"wait_ms", 20000}});
  });
  // Give the claim time to settle into its wait; if it were slower to arrive, the
  // job would simply be waiting for it and the assertions below still hold.
  ASSERT_EQ(claim.wait_for(500ms), std::future_status::timeout) << "claim returned with no job";

  const auto submitted_at = std::chrono::steady_clock::now();
  const std::string id = submit(requests().minimal("txt2img"));
  ASSERT_EQ(claim.wait_for(5s), std::future_status::ready) << "claim did not wake";
  const auto woke_after = std::chrono::steady_clock::now() - submitted_at;
  const auto response = claim.get();
  ASSERT_EQ(response.status, 200) << response.describe();
  EXPECT_EQ(text_at(response.json(), "/jobs/0/job_id"), id);
  EXPECT_LT(woke_after, 1s) << "a waiting claim must wake at once, not on a polling interval";
}

TEST_F(WorkerClaim, ClaimedJobHasTheDocumentedShape) {
  JobRequest request = requests().minimal("txt2img");
  request.fields["seed"] = -1;
  const std::string id = submit(request);
  const auto jobs = manual_worker().claim(5s);
  ASSERT_EQ(jobs.size(), 1u);
  const ClaimedJob& job = jobs.front();
  EXPECT_EQ(job.job_id, id);
  EXPECT_TRUE(job.lease_id.starts_with("ls_")) << job.lease_id;
  EXPECT_EQ(job.task, "txt2img");
  EXPECT_EQ(job.model, request.model);
  EXPECT_EQ(job.output, "image");
  EXPECT_EQ(job.attempt, 1);
  EXPECT_GE(job.max_attempts, 1);
  EXPECT_EQ(job.lease_ms, 30000) << "default --lease-ms";
  EXPECT_GT(job.heartbeat_ms, 0);
  EXPECT_LE(job.heartbeat_ms, job.lease_ms / 2) << "heartbeats must come well inside the lease";

  const auto* params = job.raw.if_contains("params");
  ASSERT_TRUE(params != nullptr && params->is_object()) << boost::json::serialize(job.raw);
  EXPECT_EQ(text_at(*params, "/prompt"), text_at(request.fields, "/prompt"));
  EXPECT_EQ(text_at(*params, "/width"), text_at(request.fields, "/width"));
  // Defaults are filled in, and a random seed is already concrete.
  const auto* model = requests().catalog().find_model(request.model);
  for (const auto& spec : model->params) {
    if (spec.default_value && spec.type != catalog::ParamType::File) {
      EXPECT_TRUE(params->get_object().contains(spec.name)) << "default of " << spec.name;
    }
  }
  const auto* seed = params->get_object().if_contains("seed");
  ASSERT_TRUE(seed != nullptr && seed->is_number());
  EXPECT_NE(seed->to_number<std::int64_t>(), -1) << "seed -1 must be replaced";
  EXPECT_TRUE(job.raw.contains("inputs"));
}

TEST_F(WorkerClaim, ClaimMovesTheJobToProcessing) {
  const std::string id = submit(requests().minimal("txt2img"));
  ASSERT_TRUE(manual_worker().claim_job(id, kJobDeadline));
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "status"), "processing");
}

TEST_F(WorkerClaim, EachJobGoesToOneWorkerOnly) {
  const ManualWorker first = manual_worker();
  const ManualWorker second = manual_worker();
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back(submit(requests().minimal("txt2img")));
  }
  auto a = std::async(std::launch::async, [&] { return first.claim(1s, {}, 4); });
  auto b = std::async(std::launch::async, [&] { return second.claim(1s, {}, 4); });
  std::vector<std::string> claimed;
  for (auto* future : {&a, &b}) {
    for (const auto& job : future->get()) {
      claimed.push_back(job.job_id);
    }
  }
  std::sort(claimed.begin(), claimed.end());
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(claimed, ids) << "every job claimed exactly once";
}

TEST_F(WorkerClaim, MaxJobsLimitsOneAnswer) {
  for (int i = 0; i < 3; ++i) {
    submit(requests().minimal("txt2img"));
  }
  const ManualWorker worker = manual_worker();
  EXPECT_EQ(worker.claim(kShortWait, {}, 2).size(), 2u);
  EXPECT_EQ(worker.claim(kShortWait, {}, 2).size(), 1u);
  EXPECT_EQ(worker.claim(kShortWait, {}, 2).size(), 0u);
}

TEST_F(WorkerClaim, OldestJobIsClaimedFirst) {
  const std::string older = submit(requests().minimal("txt2img"));
  const std::string newer = submit(requests().minimal("txt2img"));
  const ManualWorker worker = manual_worker();
  const auto first = worker.claim();
  const auto second = worker.claim();
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(first.front().job_id, older);
  EXPECT_EQ(second.front().job_id, newer);
}

TEST_F(WorkerClaim, ModelsInTheClaimNarrowWhatComes) {
  const std::string id = submit(requests().minimal("txt2img"));
  const auto* other = requests().model_not_serving("txt2img");
  ASSERT_NE(other, nullptr);
  const ManualWorker worker = manual_worker();
  EXPECT_TRUE(worker.claim(kShortWait, {other->name}).empty()) << "got a job of a model not asked for";
  const auto jobs = worker.claim(kShortWait, {requests().model_for("txt2img")->name});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs.front().job_id, id);
}

TEST_F(WorkerClaim, FileInputsComeAsSignedUrlsServingTheUpload) {
  const JobRequest request = requests().minimal("img2img");
  ASSERT_FALSE(request.files.empty());
  const std::string id = submit(request);
  const auto job = manual_worker().claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  const std::string field_name = request.files.front().field;
  const std::string url = text_at(job->raw, "/inputs/" + field_name);
  ASSERT_TRUE(url.starts_with("http")) << boost::json::serialize(job->raw);
  EXPECT_NE(url.find("signature="), std::string::npos) << url;
  const auto download = HttpClient(server().base_url()).get(url);  // no token needed
  ASSERT_EQ(download.status, 200) << download.describe();
  EXPECT_EQ(download.body, read_file(request.files.front().path));
}

TEST_F(WorkerClaim, InvalidClaimFieldsAreRefused) {
  const ManualWorker worker = manual_worker();
  for (const auto& [name, body] : std::vector<std::pair<std::string, boost::json::object>>{
           {"max_jobs", {{"max_jobs", 0}}},
           {"max_jobs", {{"max_jobs", 33}}},
           {"wait_ms", {{"wait_ms", 60001}}},
           {"wait_ms", {{"wait_ms", -1}}},
           {"models", {{"models", "Flux1schnell"}}}}) {
    const auto response = worker.claim_raw(body);
    EXPECT_EQ(response.status, 422) << boost::json::serialize(body) << ": " << response.describe();
    if (response.status == 422) {
      EXPECT_NE(json_at(response.json(), "/errors/" + name), nullptr) << response.describe();
    }
  }
  const auto malformed = worker.http().request("POST", "/api/v1/worker/claim", "{\"wait_ms\":",
                                               "application/json");
  EXPECT_EQ(malformed.status, 400) << malformed.describe();
}

}  // namespace
}  // namespace genq::testing

namespace genq::testing {
namespace {

// genq_claim_waiters from /metrics: long-polls the server is holding.
int claim_waiters(const GenqServer& server) {
  const auto metrics = server.admin_http().get("/metrics");
  const std::string name = "genq_claim_waiters ";
  const auto at = metrics.body.find("\n" + name);
  return at == std::string::npos ? -1 : std::stoi(metrics.body.substr(at + 1 + name.size()));
}

TEST_F(WorkerClaim, AWorkerThatHangsUpWhileWaitingIsNotGivenAJob) {
  // The worker's HTTP client gives up after 300 ms of a 20 s long-poll and closes its
  // connection, as a stopped or crashed worker does.
  const HttpClient quitter = server().http().with_bearer(server().create_worker_token()).with_timeout(300ms);
  const auto given_up = quitter.post_json("/api/v1/worker/claim",
                                          boost::json::object{{"worker_id", "quitter"}, {"wait_ms", 20000}});
  EXPECT_EQ(given_up.status, 0) << "the claim should have been cut off: " << given_up.describe();
  ASSERT_TRUE(wait_until(5s, [&] { return claim_waiters(server()) == 0; }))
      << "the server still holds the abandoned long-poll";

  // A job submitted now goes to a worker that is there, at once and as attempt 1,
  // not to the one that left (which would strand it until its lease expired).
  const std::string id = submit(requests().minimal("txt2img"));
  const auto claimed = manual_worker().claim(3s);
  ASSERT_EQ(claimed.size(), 1u) << "the job went to the worker that hung up";
  EXPECT_EQ(claimed[0].job_id, id);
  EXPECT_EQ(claimed[0].attempt, 1);
}

}  // namespace
}  // namespace genq::testing
