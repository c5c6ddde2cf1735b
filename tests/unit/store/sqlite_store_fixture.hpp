#pragma once
// A SqliteStore on a fresh temporary file with a ManualClock, shared by the sqlite
// store tests. Leases expire by advancing clock_, never by sleeping.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "genq/core/clock.hpp"
#include "genq/store/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace genq {

class SqliteStoreFixture : public ::testing::Test {
 protected:
  static constexpr const char* kModel = "Flux1schnell";

  void SetUp() override { reopen(); }

  SqliteOptions options() const {
    SqliteOptions options;
    options.path = dir_.file("genq.db");
    return options;
  }

  // Closes the store (if open) and opens the same file again, as a restart would.
  void reopen() {
    store_.reset();
    Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::open(options(), clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }

  static NewJob new_job(std::string id, std::string model = kModel, std::string client_id = "cl_1") {
    NewJob job;
    job.id = std::move(id);
    job.client_id = std::move(client_id);
    job.task = "txt2img";
    job.model = std::move(model);
    job.params_json = R"({"prompt":"a cat"})";
    return job;
  }

  // Submits and asserts success; returns the stored job.
  Job submit(const NewJob& job) {
    Result<SubmitOutcome> outcome = store_->submit(job);
    EXPECT_TRUE(outcome) << outcome.error().message;
    return outcome ? outcome->job : Job{};
  }

  ClaimRequest claim_request(std::vector<std::string> models = {kModel}, int max_jobs = 1) const {
    ClaimRequest request;
    request.worker_id = "wk_1";
    request.models = std::move(models);
    request.max_jobs = max_jobs;
    request.lease = std::chrono::seconds(30);
    return request;
  }

  // Claims exactly one job of kModel and returns its lease reference.
  LeaseRef claim_one() {
    Result<std::vector<Lease>> leases = store_->claim(claim_request());
    EXPECT_TRUE(leases) << leases.error().message;
    if (!leases || leases->size() != 1) {
      ADD_FAILURE() << "expected one claimed job";
      return {};
    }
    return LeaseRef{leases->front().job.id, leases->front().job.lease_id};
  }

  Job get(const std::string& id) {
    Result<Job> job = store_->get(id);
    EXPECT_TRUE(job) << job.error().message;
    return job ? *job : Job{};
  }

  genq::testing::TempDir dir_{"genq-sqlite"};
  ManualClock clock_;
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace genq
