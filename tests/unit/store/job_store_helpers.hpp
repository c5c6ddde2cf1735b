#pragma once
// What the store fixtures (store_fixture.hpp, sqlite_store_fixture.hpp) do the same way
// whatever the store: a standard job, and submit, claim and read, each asserting that
// the store call succeeded.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "genq/store/job_store.hpp"

namespace genq::store_helpers {

inline constexpr const char* kModel = "Flux1schnell";

inline NewJob new_job(std::string id, std::string model = kModel, std::string client_id = "cl_1") {
  NewJob job;
  job.id = std::move(id);
  job.client_id = std::move(client_id);
  job.task = "txt2img";
  job.model = std::move(model);
  job.params_json = R"({"prompt":"a cat"})";
  return job;
}

// Submits and asserts success; returns the stored job.
inline Job submit(JobStore& store, const NewJob& job) {
  Result<SubmitOutcome> outcome = store.submit(job);
  EXPECT_TRUE(outcome) << outcome.error().message;
  return outcome ? outcome->job : Job{};
}

inline ClaimRequest claim_request(std::vector<std::string> models = {kModel}, int max_jobs = 1) {
  ClaimRequest request;
  request.worker_id = "wk_1";
  request.models = std::move(models);
  request.max_jobs = max_jobs;
  request.lease = std::chrono::seconds(30);
  return request;
}

// Claims exactly one job of kModel and returns its lease reference.
inline LeaseRef claim_one(JobStore& store) {
  Result<std::vector<Lease>> leases = store.claim(claim_request());
  EXPECT_TRUE(leases) << leases.error().message;
  if (!leases || leases->size() != 1) {
    ADD_FAILURE() << "expected one claimed job";
    return {};
  }
  return LeaseRef{leases->front().job.id, leases->front().job.lease_id};
}

inline Job get(JobStore& store, const std::string& id) {
  Result<Job> job = store.get(id);
  EXPECT_TRUE(job) << job.error().message;
  return job ? *job : Job{};
}

}  // namespace genq::store_helpers
