#pragma once
// The store test suite's fixture: each test runs once per Store implementation, on a
// fresh database with a ManualClock. Leases expire by advancing clock_, never by
// sleeping.
//   Sqlite:   a SqliteStore on a file in a temporary directory;
//   Postgres: a PostgresStore on a new database of this process's throwaway cluster
//             (support/postgres_server.hpp). Without PostgreSQL's server binaries
//             these tests fail, saying what to install.
// Suites: `class StoreJobs : public StoreFixture {};`, TEST_P(StoreJobs, ...), and
// GENQ_STORE_SUITE(StoreJobs) once.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <exception>
#include <ostream>
#include <memory>
#include <string>
#include <utility>

#include "genq/core/clock.hpp"
#include "genq/store/postgres/pg_connection.hpp"
#include "genq/store/postgres/postgres_store.hpp"
#include "genq/store/sqlite/sqlite_store.hpp"
#include "genq/store/store.hpp"
#include "support/postgres_server.hpp"
#include "support/temp_dir.hpp"
#include "unit/store/job_store_helpers.hpp"

namespace genq {

enum class StoreKind { Sqlite, Postgres };

inline std::string to_string(StoreKind kind) { return kind == StoreKind::Sqlite ? "Sqlite" : "Postgres"; }
inline std::string store_kind_name(const ::testing::TestParamInfo<StoreKind>& info) { return to_string(info.param); }
// How gtest prints the parameter (test names in ctest, failure messages).
inline void PrintTo(StoreKind kind, std::ostream* out) { *out << to_string(kind); }

#define GENQ_STORE_SUITE(Suite) \
  INSTANTIATE_TEST_SUITE_P(Store, Suite, ::testing::Values(StoreKind::Sqlite, StoreKind::Postgres), store_kind_name)

class StoreFixture : public ::testing::TestWithParam<StoreKind> {
 protected:
  static constexpr const char* kModel = store_helpers::kModel;

  void SetUp() override {
    if (GetParam() == StoreKind::Postgres) {
      try {
        dsn_ = genq::testing::PostgresServer::shared().create_database();
      } catch (const std::exception& e) {
        FAIL() << "no PostgreSQL for the store tests: " << e.what();
      }
    }
    reopen();
  }

  // Another store on the same database, as another process (genq admin) or another
  // node would open it. Null (with a test failure) if it cannot be opened.
  std::unique_ptr<Store> open_store() {
    if (GetParam() == StoreKind::Postgres) {
      PostgresOptions options;
      options.dsn = dsn_;
      options.pool_connections = 2;
      Result<std::unique_ptr<PostgresStore>> opened = PostgresStore::open(options, clock_);
      EXPECT_TRUE(opened) << opened.error().message;
      return opened ? std::move(*opened) : nullptr;
    }
    SqliteOptions options;
    options.path = dir_.file("genq.db");
    Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::open(options, clock_);
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  // Closes the store (if open) and opens the same database again, as a restart would.
  void reopen() {
    store_.reset();
    store_ = open_store();
    ASSERT_TRUE(store_);
  }

  static NewJob new_job(std::string id, std::string model = kModel, std::string client_id = "cl_1") {
    return store_helpers::new_job(std::move(id), std::move(model), std::move(client_id));
  }
  Job submit(const NewJob& job) { return store_helpers::submit(*store_, job); }
  ClaimRequest claim_request(std::vector<std::string> models = {kModel}, int max_jobs = 1) const {
    return store_helpers::claim_request(std::move(models), max_jobs);
  }
  LeaseRef claim_one() { return store_helpers::claim_one(*store_); }
  // A client `id` named "one", with this account webhook secret and API key hash.
  void create_client(const std::string& id, const std::string& webhook_secret, const std::string& key_hash) {
    Client client;
    client.id = id;
    client.name = "one";
    client.webhook_secret = webhook_secret;
    ASSERT_TRUE(store_->create_client(client, key_hash));
  }
  Job get(const std::string& id) { return store_helpers::get(*store_, id); }
  // The first column of the first row `sql` reads, straight from the database as a copy
  // of it would show it, around the store; "<none>" when no row.
  std::string stored_text(const std::string& sql) {
    if (GetParam() == StoreKind::Postgres) {
      auto connection = postgres::Connection::open(dsn_);
      EXPECT_TRUE(connection) << connection.error().message;
      auto rows = connection ? (*connection)->query(sql) : Result<postgres::Rows>(fail(Error::internal("no connection")));
      EXPECT_TRUE(rows) << rows.error().message;
      return rows && !rows->empty() ? rows->text(0, 0) : "<none>";
    }
    sqlite3* db = nullptr;
    std::string value = "<none>";
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_open_v2(dir_.file("genq.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    } else {
      ADD_FAILURE() << "reading '" << sql << "': " << sqlite3_errmsg(db);
    }
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return value;
  }

  genq::testing::TempDir dir_{"genq-store"};
  std::string dsn_;  // Postgres only
  ManualClock clock_;
  std::unique_ptr<Store> store_;
};

}  // namespace genq
