// What survives crashes (SPEC §2): every acknowledged submit survives kill -9 of the
// server; a job whose worker dies mid-run goes back to pending when its lease expires
// and another worker finishes it.
#include <set>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class Durability : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override { return {"--lease-ms", "1500"}; }
};

TEST_F(Durability, AcknowledgedSubmitsSurviveKillNine) {
  constexpr int kJobs = 200;
  const JobRequest request = requests().minimal("txt2img");
  std::vector<std::string> ids;
  ids.reserve(kJobs);
  for (int i = 0; i < kJobs; ++i) {
    ids.push_back(submit(request));  // each one answered 200: acknowledged
  }
  server().kill9();
  server().start();

  int missing = 0;
  std::string first_problem;
  for (const auto& id : ids) {
    std::string error;
    const auto status = read_status(api(), id, &error);
    if (!status || field(*status, "status") != "pending") {
      ++missing;
      if (first_problem.empty()) {
        first_problem = id + ": " + (status ? boost::json::serialize(*status) : error);
      }
    }
  }
  EXPECT_EQ(missing, 0) << missing << " of " << kJobs << " acknowledged jobs lost; first "
                        << first_problem;

  // And they are still work to do, each exactly once.
  const ManualWorker worker = manual_worker();
  std::set<std::string> claimed;
  ASSERT_TRUE(wait_until(kJobDeadline, [&] {
    for (const auto& job : worker.claim(kShortWait, {}, 32)) {
      claimed.insert(job.job_id);
    }
    return claimed.size() >= ids.size();
  })) << "claimed " << claimed.size() << " of " << ids.size();
  EXPECT_EQ(claimed, std::set<std::string>(ids.begin(), ids.end()));
}

TEST_F(Durability, ClientsAndKeysSurviveARestart) {
  const std::string id = submit(requests().minimal("txt2img"));
  server().restart();
  const auto status = status_of(id);
  ASSERT_TRUE(status) << "the API key stopped working across a restart";
  EXPECT_EQ(field(*status, "status"), "pending");
  const auto again = requests().minimal("txt2img").submit(api());
  EXPECT_EQ(again.status, 200) << again.describe();
}

TEST_F(Durability, WorkerKilledMidJobLosesItsLeaseAndAnotherWorkerFinishesIt) {
  JobRequest request = requests().minimal("txt2img");
  const std::string id = submit(request);

  // Slow steps: the job is surely mid-run when the worker dies.
  auto doomed = server().start_worker({"--step-delay-ms", "2000"});
  const auto running = poll_status(api(), id, has_progress(), kJobDeadline);
  ASSERT_TRUE(running) << "job never started: " << doomed->describe();
  doomed->kill(SIGKILL);
  ASSERT_TRUE(doomed->wait_exit(5s));

  // --lease-ms 1500: without heartbeats the lease lapses and the job is requeued.
  StatusTrace trace;
  const auto requeued = poll_status(api(), id, status_is("pending"), 15s, &trace);
  ASSERT_TRUE(requeued) << "job not requeued after its worker died: " << trace.describe();
  EXPECT_EQ(requeued->at("progress").to_number<double>(), 0.0) << "a requeued job starts over: "
                                                                << boost::json::serialize(*requeued);

  auto rescuer = server().start_worker({"--step-delay-ms", "10"});
  const auto done = poll_status(api(), id, is_final(), kJobDeadline, &trace);
  ASSERT_TRUE(done) << trace.describe() << "\n" << rescuer->describe();
  EXPECT_EQ(field(*done, "status"), "done") << boost::json::serialize(*done);
  EXPECT_EQ(field(*done, "attempts"), "2") << boost::json::serialize(*done);
}

TEST_F(Durability, StoppedWorkerHandsItsJobBackAtOnceWithoutUsingAnAttempt) {
  const std::string id = submit(requests().minimal("txt2img"));
  auto stopping = server().start_worker({"--step-delay-ms", "2000", "--grace-ms", "200"});
  ASSERT_TRUE(poll_status(api(), id, has_progress(), kJobDeadline)) << stopping->describe();
  stopping->kill(SIGTERM);
  const auto code = stopping->wait_exit(10s);
  ASSERT_TRUE(code) << "worker still running 10 s after SIGTERM: " << stopping->describe();
  EXPECT_EQ(*code, 0) << stopping->describe();

  // Released, not left to its lease: pending at once, attempts as before the claim.
  const auto status = status_of(id);
  ASSERT_TRUE(status);
  EXPECT_EQ(field(*status, "status"), "pending") << boost::json::serialize(*status);
  EXPECT_EQ(status->at("attempts").as_int64(), 0) << boost::json::serialize(*status);
}

TEST_F(Durability, ExpiredLeaseIsReportedAsLostToTheOldWorker) {
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker first = manual_worker();
  const auto job = first.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->attempt, 1);
  // No heartbeat: after --lease-ms the job is someone else's to take.
  ASSERT_TRUE(poll_status(api(), id, status_is("pending"), 15s)) << "lease never expired";

  const ManualWorker second = manual_worker();
  const auto retry = second.claim_job(id, kJobDeadline);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->attempt, 2);
  EXPECT_NE(retry->lease_id, job->lease_id);

  const auto stale = first.progress(*job, 50);
  EXPECT_EQ(stale.status, 409) << stale.describe();
  EXPECT_EQ(text_at(stale.json(), "/code"), "lease_lost");
  EXPECT_EQ(first.complete(*job).status, 409);

  const auto finished = second.finish(*retry);
  EXPECT_EQ(finished.status, 200) << finished.describe();
  EXPECT_TRUE(poll_status(api(), id, status_is("done"), kJobDeadline));
}

class DurabilityWithFewAttempts : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override {
    return {"--lease-ms", "1000", "--max-attempts", "2"};
  }
};

TEST_F(DurabilityWithFewAttempts, JobAbandonedOnEveryAttemptEndsInError) {
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker worker = manual_worker();
  for (int attempt = 1; attempt <= 2; ++attempt) {
    const auto job = worker.claim_job(id, kJobDeadline);
    ASSERT_TRUE(job) << "attempt " << attempt << " never claimable";
    EXPECT_EQ(job->attempt, attempt);
    EXPECT_EQ(job->max_attempts, 2);
    // ...and abandoned: no heartbeat, no complete.
    if (attempt < 2) {
      ASSERT_TRUE(poll_status(api(), id, status_is("pending"), 15s)) << "not requeued";
    }
  }
  StatusTrace trace;
  const auto failed = poll_status(api(), id, is_final(), 15s, &trace);
  ASSERT_TRUE(failed) << trace.describe();
  EXPECT_EQ(field(*failed, "status"), "error") << boost::json::serialize(*failed);
  EXPECT_FALSE(field(*failed, "error").empty()) << "an error names its cause";
}

TEST_F(Durability, JobRunningWhenTheServerIsKilledStillFinishesAfterRestart) {
  const std::string id = submit(requests().minimal("txt2img"));
  const ManualWorker worker = manual_worker();
  const auto job = worker.claim_job(id, kJobDeadline);
  ASSERT_TRUE(job);
  ASSERT_EQ(worker.progress(*job, 30).status, 200);

  server().kill9();
  server().start();

  // The lease was durable: the same worker may carry on if it still holds it, or the
  // job is requeued when it lapses. Either way it ends done, not stuck.
  const auto resumed = worker.progress(*job, 60);
  if (resumed.status == 200) {
    EXPECT_EQ(worker.finish(*job).status, 200);
  } else {
    EXPECT_EQ(resumed.status, 409) << resumed.describe();
    const auto retry = worker.claim_job(id, kJobDeadline);
    ASSERT_TRUE(retry) << "job stuck after a server crash";
    EXPECT_EQ(worker.finish(*retry).status, 200);
  }
  const auto done = poll_status(api(), id, is_final(), kJobDeadline);
  ASSERT_TRUE(done);
  EXPECT_EQ(field(*done, "status"), "done") << boost::json::serialize(*done);
}

}  // namespace
}  // namespace genq::testing
