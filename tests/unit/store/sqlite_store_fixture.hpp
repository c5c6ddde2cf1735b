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
#include "unit/store/job_store_helpers.hpp"

namespace genq {

class SqliteStoreFixture : public ::testing::Test {
 protected:
  static constexpr const char* kModel = store_helpers::kModel;

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
    return store_helpers::new_job(std::move(id), std::move(model), std::move(client_id));
  }
  Job submit(const NewJob& job) { return store_helpers::submit(*store_, job); }
  ClaimRequest claim_request(std::vector<std::string> models = {kModel}, int max_jobs = 1) const {
    return store_helpers::claim_request(std::move(models), max_jobs);
  }
  LeaseRef claim_one() { return store_helpers::claim_one(*store_); }
  Job get(const std::string& id) { return store_helpers::get(*store_, id); }

  genq::testing::TempDir dir_{"genq-sqlite"};
  ManualClock clock_;
  std::unique_ptr<SqliteStore> store_;
};

}  // namespace genq
