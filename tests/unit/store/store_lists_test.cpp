// Every Store: the job lists, the live queue by model, worker presence and the worker
// token list that the admin dashboard reads (docs/api.md, "Admin API").
#include <gtest/gtest.h>

#include <libpq-fe.h>

#include <algorithm>

#include "genq/store/sqlite/sqlite_connection.hpp"
#include "genq/store/sqlite/sqlite_statement.hpp"
#include "unit/store/store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class StoreLists : public StoreFixture {
 protected:
  NewJob job_of(std::string id, std::string client_id, std::string task = "txt2img",
                std::string model = kModel) {
    NewJob job = new_job(std::move(id), std::move(model), std::move(client_id));
    job.task = std::move(task);
    return job;
  }

  JobPage list(JobListQuery query) {
    Result<JobPage> page = store_->list_jobs(query);
    EXPECT_TRUE(page) << page.error().message;
    return page ? *page : JobPage{};
  }

  static std::vector<std::string> ids(const JobPage& page) {
    std::vector<std::string> out;
    for (const Job& job : page.jobs) out.push_back(job.id);
    return out;
  }

  // 20,000 finished jobs of 50 clients, mostly done (0.2% failed, 0.5% txt2img), and
  // the planner's statistics: plans chosen on an empty table say little about a real
  // one.
  void seed_history() {
    const std::string rows =
        " 'seed-' || n, 'cl_' || (n % 50), CASE WHEN n % 200 = 0 THEN 'txt2img' ELSE 'txt2audio' END,"
        " 'Flux1schnell', '{}', 'client',"
        " CASE WHEN n % 500 = 1 THEN 'error' WHEN n % 97 = 0 THEN 'pending' ELSE 'done' END, 3, n";
    const std::string insert =
        "INSERT INTO jobs (id, client_id, task, model, params_json, dialect, status, max_attempts, created_at)";
    if (GetParam() == StoreKind::Postgres) {
      PGconn* connection = PQconnectdb(dsn_.c_str());
      for (const std::string& sql : {insert + " SELECT" + rows + " FROM generate_series(1, 20000) n",
                                     std::string("VACUUM ANALYZE jobs")}) {
        PGresult* result = PQexec(connection, sql.c_str());
        if (PQresultStatus(result) != PGRES_COMMAND_OK) ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result);
        PQclear(result);
      }
      PQfinish(connection);
      return;
    }
    auto connection =
        sqlite::Connection::open(dir_.file("genq.db"), sqlite::Connection::Mode::ReadWrite, Millis(5000));
    ASSERT_TRUE(connection) << connection.error().message;
    Status seeded = (*connection)->exec("WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 20000) " +
                                        insert + " SELECT" + rows + " FROM g; ANALYZE;");
    ASSERT_TRUE(seeded) << seeded.error().message;
  }

  // The plan the database picks for `sql`, as text ("" with a test failure when it
  // cannot be read).
  std::string query_plan(const std::string& sql) {
    std::string plan;
    if (GetParam() == StoreKind::Postgres) {
      PGconn* connection = PQconnectdb(dsn_.c_str());
      PGresult* result = PQexec(connection, ("EXPLAIN " + sql).c_str());
      if (PQresultStatus(result) != PGRES_TUPLES_OK) ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result);
      for (int row = 0; row < PQntuples(result); ++row) plan += std::string(PQgetvalue(result, row, 0)) + "\n";
      PQclear(result);
      PQfinish(connection);
      return plan;
    }
    auto connection =
        sqlite::Connection::open(dir_.file("genq.db"), sqlite::Connection::Mode::ReadOnly, Millis(5000));
    if (!connection) {
      ADD_FAILURE() << connection.error().message;
      return plan;
    }
    auto statement = (*connection)->prepare("EXPLAIN QUERY PLAN " + sql);
    if (!statement) {
      ADD_FAILURE() << statement.error().message;
      return plan;
    }
    while (true) {
      Result<bool> row = statement->step();
      if (!row || !*row) break;
      plan += statement->column_text(3) + "\n";
    }
    return plan;
  }
};

GENQ_STORE_SUITE(StoreLists);

TEST_P(StoreLists, AClientsJobsComeNewestFirstPagedWithTheirTotal) {
  for (int i = 1; i <= 5; ++i) submit(job_of("a-" + std::to_string(i), "cl_a"));
  submit(job_of("b-1", "cl_b"));

  JobListQuery query;
  query.client_id = "cl_a";
  query.limit = 2;
  JobPage first = list(query);
  EXPECT_EQ(first.total, 5);
  EXPECT_EQ(ids(first), (std::vector<std::string>{"a-5", "a-4"}));
  query.offset = 4;
  JobPage last = list(query);
  EXPECT_EQ(last.total, 5);
  EXPECT_EQ(ids(last), (std::vector<std::string>{"a-1"}));
  query.offset = 10;
  JobPage past = list(query);
  EXPECT_EQ(past.total, 5);
  EXPECT_TRUE(past.jobs.empty());

  JobListQuery everyone;
  everyone.limit = 100;
  JobPage all = list(everyone);
  EXPECT_EQ(all.total, 6);
  EXPECT_EQ(all.jobs.front().id, "b-1");
  EXPECT_EQ(all.jobs.front().client_id, "cl_b");
}

TEST_P(StoreLists, StatusAndTaskFiltersAreAppliedTogether) {
  submit(job_of("pending-img", "cl_1"));
  submit(job_of("pending-audio", "cl_1", "txt2audio", "AudioModel"));
  submit(job_of("claimed", "cl_1"));
  // claim_one takes the oldest pending job of kModel: pending-img. Fail it for good.
  LeaseRef failed = claim_one();
  ASSERT_EQ(failed.job_id, "pending-img");
  ASSERT_TRUE(store_->fail(failed, "out of memory", false, ""));
  LeaseRef leased = claim_one();
  ASSERT_TRUE(store_->progress(leased, 40, std::nullopt, 30s));  // in_progress
  // Submitted after the claims: fair share would have claimed it before cl_1's second.
  submit(job_of("other-client", "cl_2"));

  JobListQuery query;
  query.client_id = "cl_1";
  query.statuses = {JobStatus::Processing, JobStatus::InProgress};
  EXPECT_EQ(ids(list(query)), (std::vector<std::string>{leased.job_id}));
  query.statuses = {JobStatus::Error};
  EXPECT_EQ(ids(list(query)), (std::vector<std::string>{"pending-img"}));
  query.statuses = {JobStatus::Pending};
  EXPECT_EQ(list(query).total, 1);
  query.task = "txt2img";
  EXPECT_EQ(list(query).total, 0) << "the only pending txt2img job of cl_1 was claimed";
  query.task = "txt2audio";
  EXPECT_EQ(ids(list(query)), (std::vector<std::string>{"pending-audio"}));
  query.statuses.clear();
  query.client_id.clear();
  query.task = "txt2img";
  EXPECT_EQ(list(query).total, 3);
}

TEST_P(StoreLists, ListedJobsCarryNoPreview) {
  submit(job_of("job-1", "cl_1"));
  LeaseRef lease = claim_one();
  ASSERT_TRUE(store_->progress(lease, 10, std::string("\xFF\xD8\xFF preview", 11), 30s));
  ASSERT_FALSE(get("job-1").preview_jpeg.empty());
  JobListQuery query;
  JobPage page = list(query);
  ASSERT_EQ(page.jobs.size(), 1u);
  EXPECT_TRUE(page.jobs.front().preview_jpeg.empty());
  EXPECT_EQ(page.jobs.front().worker_id, "wk_1");
  EXPECT_EQ(page.jobs.front().progress, 10);
}

TEST_P(StoreLists, EachFilterIsServedByAnIndex) {
  seed_history();
  // The filter, and the index that must serve it. A client's status and task filters
  // are read within the client's jobs (two indexes, not one per filter: each costs
  // every submit and status change). The admin's task filter alone has no index: it
  // walks the jobs newest first, a rare query (docs/architecture.md).
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"client_id = 'cl_1'", "jobs_client "},
      {"client_id = 'cl_1' AND status IN ('error')", "jobs_client "},
      {"client_id = 'cl_1' AND task = 'txt2img'", "jobs_client "},
      {"status IN ('error')", "jobs_status "},
  };
  for (const auto& [where, index] : cases) {
    // The total: counted from the index, whatever the table holds.
    const std::string count = query_plan("SELECT COUNT(*) FROM jobs WHERE " + where);
    EXPECT_NE(count.find(index), std::string::npos) << where << " should be counted from " << index << ":\n" << count;
    // The page: never a scan of the table. SQLite reads it newest first from the
    // filter's index, no sort of what matched. PostgreSQL chooses by cost: for a page
    // of a common value it walks the primary key backwards until the page is full
    // (no further than per_page / the value's share of rows), else the filter's index.
    const std::string page = query_plan("SELECT id FROM jobs WHERE " + where + " ORDER BY seq DESC LIMIT 15");
    for (const char* refused : {"SCAN jobs\n", "Seq Scan", "TEMP B-TREE"}) {
      EXPECT_EQ(page.find(refused), std::string::npos) << where << ":\n" << page;
    }
    if (GetParam() == StoreKind::Sqlite) {
      EXPECT_NE(page.find(index + (index.back() == ' ' ? "" : " ")), std::string::npos)
          << where << " should be read from " << index << ":\n" << page;
    }
  }
}

TEST_P(StoreLists, LoadByModelCountsPendingAndLeasedJobsOnly) {
  submit(job_of("old", "cl_1"));
  clock_.advance(2s);
  submit(job_of("newer", "cl_1"));
  submit(job_of("audio", "cl_1", "txt2audio", "AudioModel"));
  submit(job_of("done-soon", "cl_1", "txt2img", "OtherModel"));
  ASSERT_EQ(claim_one().job_id, "old");
  Result<std::vector<Lease>> other = store_->claim(claim_request({"OtherModel"}));
  ASSERT_TRUE(other && other->size() == 1u);
  ASSERT_TRUE(store_->complete(LeaseRef{other->front().job.id, other->front().job.lease_id}, JobResult{}));

  Result<std::vector<ModelLoad>> loads = store_->load_by_model();
  ASSERT_TRUE(loads) << loads.error().message;
  ASSERT_EQ(loads->size(), 2u) << "OtherModel has nothing live";
  EXPECT_EQ((*loads)[0].model, "AudioModel");
  EXPECT_EQ((*loads)[0].pending, 1);
  EXPECT_EQ((*loads)[0].processing, 0);
  EXPECT_EQ((*loads)[1].model, kModel);
  EXPECT_EQ((*loads)[1].pending, 1);
  EXPECT_EQ((*loads)[1].processing, 1);
  ASSERT_TRUE((*loads)[1].oldest_pending_at);
  EXPECT_EQ(*(*loads)[1].oldest_pending_at, get("newer").created_at);

  ASSERT_EQ(store_->claim(claim_request({kModel})).value().size(), 1u);
  loads = store_->load_by_model();
  ASSERT_TRUE(loads);
  ASSERT_EQ(loads->size(), 2u);
  EXPECT_EQ((*loads)[1].pending, 0);
  EXPECT_EQ((*loads)[1].processing, 2);
  EXPECT_FALSE((*loads)[1].oldest_pending_at) << "nothing pending: no oldest";
}

TEST_P(StoreLists, WorkersAreSeenWithTheirLiveLeasesAndForgottenAfterTheWindow) {
  const TimePoint start = clock_.now();
  WorkerSighting gpu{"gpu-1", "wt_1", "fleet", {kModel}, start};
  WorkerSighting cpu{"cpu-1", "wt_2", "cpus", {"AudioModel"}, start - 2h};
  ASSERT_TRUE(store_->record_workers({gpu, cpu}, start - 24h));
  submit(job_of("job-1", "cl_1"));
  Result<std::vector<Lease>> leases = store_->claim([&] {
    ClaimRequest request = claim_request();
    request.worker_id = "gpu-1";
    return request;
  }());
  ASSERT_TRUE(leases && leases->size() == 1u);

  Result<std::vector<WorkerRecord>> workers = store_->list_workers(start - 24h, clock_.now());
  ASSERT_TRUE(workers) << workers.error().message;
  ASSERT_EQ(workers->size(), 2u);
  EXPECT_EQ((*workers)[0].worker_id, "gpu-1") << "most recently seen first";
  EXPECT_EQ((*workers)[0].token_name, "fleet");
  EXPECT_EQ((*workers)[0].models, (std::vector<std::string>{kModel}));
  EXPECT_EQ((*workers)[0].last_seen_at, start);
  EXPECT_EQ((*workers)[0].current_jobs, (std::vector<std::string>{"job-1"}));
  EXPECT_TRUE((*workers)[1].current_jobs.empty());

  // A report without models keeps them; an older sighting (another node's late flush)
  // changes nothing.
  clock_.advance(10s);
  ASSERT_TRUE(store_->record_workers({WorkerSighting{"gpu-1", "wt_1", "fleet", {}, clock_.now()}}, start - 24h));
  ASSERT_TRUE(store_->record_workers({WorkerSighting{"gpu-1", "wt_1", "fleet", {"Old"}, start - 1h}}, start - 24h));
  workers = store_->list_workers(start - 24h, clock_.now());
  ASSERT_TRUE(workers);
  EXPECT_EQ((*workers)[0].models, (std::vector<std::string>{kModel}));
  EXPECT_EQ((*workers)[0].last_seen_at, clock_.now());

  // Past its lease the job is no longer current; a day later the worker is forgotten.
  clock_.advance(31s);
  workers = store_->list_workers(start - 24h, clock_.now());
  ASSERT_TRUE(workers);
  EXPECT_TRUE((*workers)[0].current_jobs.empty());
  clock_.advance(23h);
  ASSERT_TRUE(store_->record_workers({WorkerSighting{"new-1", "wt_1", "fleet", {kModel}, clock_.now()}},
                                     clock_.now() - 24h));
  workers = store_->list_workers(clock_.now() - 24h, clock_.now());
  ASSERT_TRUE(workers);
  std::vector<std::string> seen;
  for (const auto& w : *workers) seen.push_back(w.worker_id);
  EXPECT_EQ(seen, (std::vector<std::string>{"new-1", "gpu-1"})) << "cpu-1 was last seen 25 h ago";
}

TEST_P(StoreLists, WorkerTokensAreListedOldestFirstWithoutTheirHash) {
  WorkerToken first{"wt_1", "fleet", {kModel}, false, {}};
  ASSERT_TRUE(store_->create_worker_token(first, "hash-1"));
  clock_.advance(1s);
  ASSERT_TRUE(store_->create_worker_token(WorkerToken{"wt_2", "any", {}, false, {}}, "hash-2"));
  Result<std::vector<WorkerToken>> tokens = store_->list_worker_tokens();
  ASSERT_TRUE(tokens) << tokens.error().message;
  ASSERT_EQ(tokens->size(), 2u);
  EXPECT_EQ((*tokens)[0].id, "wt_1");
  EXPECT_EQ((*tokens)[0].name, "fleet");
  EXPECT_EQ((*tokens)[0].models, (std::vector<std::string>{kModel}));
  EXPECT_EQ((*tokens)[1].id, "wt_2");
  EXPECT_EQ((*tokens)[1].created_at - (*tokens)[0].created_at, Millis(1000));
}

}  // namespace
}  // namespace genq
