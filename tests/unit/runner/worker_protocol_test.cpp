#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>

#include "genq/runner/backoff.hpp"
#include "genq/runner/claimed_job.hpp"
#include "genq/runner/worker_api.hpp"

namespace genq::runner {
namespace {

using namespace std::chrono_literals;

TEST(WorkerClaimResponse, ParsesTheDocumentedJob) {
  const auto answer = boost::json::parse(R"({"jobs": [{
    "job_id": "9b0c-uuid", "lease_id": "ls_1", "lease_ms": 30000, "heartbeat_ms": 10000,
    "task": "txt2img", "model": "Flux1schnell",
    "params": {"prompt": "a red fox", "width": 512, "height": 512, "steps": 4, "seed": 1234},
    "inputs": {"image": "http://127.0.0.1:8080/files/inputs/x?expires=1&signature=abc"},
    "output": "image", "attempt": 2, "max_attempts": 3}]})");
  auto jobs = parse_claim_response(answer);
  ASSERT_TRUE(jobs) << jobs.error().message;
  ASSERT_EQ(jobs->size(), 1u);
  const ClaimedJob& job = jobs->front();
  EXPECT_EQ(job.lease.job_id, "9b0c-uuid");
  EXPECT_EQ(job.lease.lease_id, "ls_1");
  EXPECT_EQ(job.lease_duration, 30s);
  EXPECT_EQ(job.heartbeat_interval, 10s);
  EXPECT_EQ(job.task, "txt2img");
  EXPECT_EQ(job.model, "Flux1schnell");
  EXPECT_EQ(job.params.at("seed").as_int64(), 1234);
  EXPECT_EQ(job.inputs.at("image"), "http://127.0.0.1:8080/files/inputs/x?expires=1&signature=abc");
  EXPECT_EQ(job.output, catalog::OutputKind::Image);
  EXPECT_EQ(job.attempt, 2);
  EXPECT_EQ(job.max_attempts, 3);
}

TEST(WorkerClaimResponse, EmptyJobsIsNoWork) {
  auto jobs = parse_claim_response(boost::json::parse(R"({"jobs": []})"));
  ASSERT_TRUE(jobs);
  EXPECT_TRUE(jobs->empty());
}

TEST(WorkerClaimResponse, HeartbeatDefaultsToAThirdOfTheLease) {
  auto jobs = parse_claim_response(
      boost::json::parse(R"({"jobs": [{"job_id": "j", "lease_id": "l", "lease_ms": 9000, "task": "txt2audio"}]})"));
  ASSERT_TRUE(jobs);
  EXPECT_EQ(jobs->front().heartbeat_interval, 3s);
  EXPECT_EQ(jobs->front().output, catalog::OutputKind::Audio) << "output derived from the task";
}

// Found by the claim_answer fuzz target: a number past int64 was converted anyway
// (undefined behaviour), and a huge lease would overflow the worker's clock sums.
TEST(WorkerClaimResponse, NumbersOutOfRangeAreIgnoredAndLeasesCappedAtADay) {
  auto jobs = parse_claim_response(boost::json::parse(
      R"({"jobs": [{"job_id": "j", "lease_id": "l", "lease_ms": 9223372036854775807, "attempt": 1e300,
                    "max_attempts": -1e300, "task": "txt2img"}]})"));
  ASSERT_TRUE(jobs);
  EXPECT_EQ(jobs->front().lease_duration, 24h);
  EXPECT_EQ(jobs->front().heartbeat_interval, 8h);
  EXPECT_EQ(jobs->front().attempt, 1) << "the default";
}

TEST(WorkerClaimResponse, UnknownOutputKindIsKeptForAFailCall) {
  auto jobs = parse_claim_response(
      boost::json::parse(R"({"jobs": [{"job_id": "j", "lease_id": "l", "output": "hologram"}]})"));
  ASSERT_TRUE(jobs);
  EXPECT_FALSE(jobs->front().output.has_value());
  EXPECT_EQ(jobs->front().output_name, "hologram");
}

TEST(WorkerClaimResponse, AnswerWithoutJobsArrayIsAnError) {
  EXPECT_FALSE(parse_claim_response(boost::json::parse(R"({"job": []})")));
  EXPECT_FALSE(parse_claim_response(boost::json::parse(R"({"jobs": [{"job_id": "j"}]})")))
      << "a job without lease_id cannot be worked on";
}

TEST(WorkerApiErrors, LeaseLostIsAConflictAndNeverRetried) {
  const Error error = error_from_answer(409, R"({"message":"lease lost","code":"lease_lost"})");
  EXPECT_EQ(error.kind, ErrorKind::Conflict);
  EXPECT_EQ(error.message, "HTTP 409: lease lost");
  EXPECT_FALSE(is_retryable(error));
}

TEST(WorkerApiErrors, ServerTroubleIsRetryableAndClientErrorsAreNot) {
  EXPECT_TRUE(is_retryable(error_from_answer(500, "")));
  EXPECT_TRUE(is_retryable(error_from_answer(503, "<html>busy</html>")));
  EXPECT_TRUE(is_retryable(error_from_answer(429, "")));
  EXPECT_EQ(error_from_answer(401, R"({"message":"Unauthenticated."})").kind, ErrorKind::Forbidden);
  EXPECT_EQ(error_from_answer(404, "{}").kind, ErrorKind::NotFound);
  EXPECT_EQ(error_from_answer(413, "{}").kind, ErrorKind::Invalid);
  EXPECT_EQ(error_from_answer(422, R"({"message":"bad","errors":{}})").kind, ErrorKind::Invalid);
  for (long status : {400L, 401L, 404L, 409L, 413L, 422L}) {
    EXPECT_FALSE(is_retryable(error_from_answer(status, "{}"))) << status;
  }
}

TEST(WorkerBackoff, DoublesFromHalfASecondUpToThirtySeconds) {
  Backoff backoff;
  const std::chrono::milliseconds expected[] = {500ms, 1s, 2s, 4s, 8s, 16s, 30s, 30s};
  for (auto delay : expected) {
    EXPECT_EQ(backoff.next(), delay);
  }
  EXPECT_EQ(backoff.failures(), 8);
  backoff.reset();
  EXPECT_EQ(backoff.next(), 500ms);
}

TEST(WorkerOutputKinds, EveryDocumentedTaskHasAnOutput) {
  for (const char* task : {"txt2img", "img2img", "img-upscale", "img-rmbg"}) {
    EXPECT_EQ(output_kind_for_task(task), catalog::OutputKind::Image) << task;
  }
  for (const char* task : {"txt2video", "img2video", "vid-upscale", "vid-rmbg"}) {
    EXPECT_EQ(output_kind_for_task(task), catalog::OutputKind::Video) << task;
  }
  for (const char* task : {"transcribe", "aud2txt", "vid2txt", "img2txt"}) {
    EXPECT_EQ(output_kind_for_task(task), catalog::OutputKind::Text) << task;
  }
  EXPECT_EQ(output_kind_for_task("txt2embedding"), catalog::OutputKind::Json);
  EXPECT_EQ(catalog::parse_output_kind(catalog::output_kind_text(catalog::OutputKind::Video)),
            catalog::OutputKind::Video);
}

}  // namespace
}  // namespace genq::runner
