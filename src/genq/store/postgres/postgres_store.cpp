#include "genq/store/postgres/postgres_store.hpp"

#include <cmath>

#include "genq/store/postgres/account_ops.hpp"
#include "genq/store/postgres/change_listener.hpp"
#include "genq/store/postgres/connection_pool.hpp"
#include "genq/store/postgres/delivery_ops.hpp"
#include "genq/store/postgres/job_ops.hpp"
#include "genq/store/postgres/job_read_batcher.hpp"
#include "genq/store/postgres/schema.hpp"
#include "genq/store/postgres/write_queue.hpp"

namespace genq {

using postgres::CommitSync;
using postgres::Connection;

namespace {

// As in SqliteStore: worker bookkeeping commits without waiting for the WAL flush
// (a lost claim, heartbeat or progress only repeats work, as an expired lease does);
// what clients are told of always waits for it.
constexpr CommitSync kWorkerBookkeeping = CommitSync::Lazy;
constexpr CommitSync kToldToClients = CommitSync::Full;

// Rows per sweep transaction: each holds its row locks for milliseconds, and a node
// that dies mid-sweep leaves at most one batch to the next sweep.
constexpr int kSweepBatch = 500;

// Threads reading batches of jobs, each borrowing a pool connection for its statement.
// One: what arrives while its statement runs is the next batch. On a core shared with
// PostgreSQL, two readers made batches half as big (3 reads instead of 6 at 64 polling
// connections) and answered 31% fewer polls (21,500/s instead of 31,100/s); four, 58% fewer.
constexpr int kBatchedReaders = 1;

}  // namespace

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const PostgresOptions& options, const Clock& clock) {
  if (options.dsn.empty()) {
    return genq::fail(Error::invalid("postgres DSN is empty"));
  }
  Result<std::unique_ptr<Connection>> writer = Connection::open(options.dsn);
  if (!writer) {
    return genq::fail(std::move(writer.error()));
  }
  if (Status migrated = postgres::migrate(**writer); !migrated) {
    return genq::fail(std::move(migrated.error()));
  }
  Result<std::unique_ptr<postgres::ConnectionPool>> pool =
      postgres::ConnectionPool::open(options.dsn, options.pool_connections);
  if (!pool) {
    return genq::fail(std::move(pool.error()));
  }
  auto writes = std::make_unique<postgres::WriteQueue>(std::move(*writer));
  std::unique_ptr<PostgresStore> store(new PostgresStore(clock, std::move(writes), std::move(*pool)));
  if (options.hear_account_changes) {
    store->account_changes_ = std::make_unique<postgres::ChangeListener>(
        options.dsn, "genq_accounts", [raw = store.get()] { raw->forget_credentials(); });
  }
  return store;
}

PostgresStore::PostgresStore(const Clock& clock, std::unique_ptr<postgres::WriteQueue> writes,
                             std::unique_ptr<postgres::ConnectionPool> pool)
    : clock_(clock),
      pool_(std::move(pool)),
      writes_(std::move(writes)),
      reads_(std::make_unique<postgres::JobReadBatcher>(*pool_, kBatchedReaders)) {
  writes_->on_batch_committed([this](Connection& connection) {
    if (connection.outbox_rows() == outbox_rows_seen_) {
      return;
    }
    outbox_rows_seen_ = connection.outbox_rows();
    std::lock_guard lock(deliveries_queued_mutex_);
    if (deliveries_queued_) {
      deliveries_queued_();
    }
  });
}

PostgresStore::~PostgresStore() {
  account_changes_.reset();
  reads_.reset();
  writes_.reset();  // runs what is queued while the pool still exists
  pool_.reset();
}

void PostgresStore::on_deliveries_queued(std::function<void()> wake) {
  std::lock_guard lock(deliveries_queued_mutex_);
  deliveries_queued_ = std::move(wake);
}

void PostgresStore::drain() {
  reads_->drain();
  writes_->drain();
}
std::uint64_t PostgresStore::commits() const { return writes_->commits(); }
std::uint64_t PostgresStore::writes() const { return writes_->writes(); }
const Histogram& PostgresStore::commit_batch_sizes() const { return writes_->batch_sizes(); }
const Histogram& PostgresStore::commit_seconds() const { return writes_->commit_seconds(); }

template <class T, class Fn>
void PostgresStore::post(Fn fn, CommitSync sync, StoreDone<T> done) {
  writes_->post_result<T>(std::move(fn), sync, std::move(done));
}

// Each transition reads the clock inside its operation, on the connection thread when
// the batch runs, so times follow commit order on this node.

void PostgresStore::submit(NewJob job, StoreDone<SubmitOutcome> done) {
  post<SubmitOutcome>(
      [this, job = std::move(job)](Connection& c) { return postgres::submit_job(c, job, clock_.now()); },
      kToldToClients, std::move(done));
}

void PostgresStore::claim(ClaimRequest request, StoreDone<std::vector<Lease>> done) {
  post<std::vector<Lease>>(
      [this, request = std::move(request)](Connection& c) { return postgres::claim_jobs(c, request, clock_.now()); },
      kWorkerBookkeeping, std::move(done));
}

void PostgresStore::heartbeat(LeaseRef lease, Millis extend, StoreDone<TimePoint> done) {
  post<TimePoint>([this, lease = std::move(lease),
                   extend](Connection& c) { return postgres::heartbeat_lease(c, lease, clock_.now(), extend); },
                  kWorkerBookkeeping, std::move(done));
}

void PostgresStore::progress(LeaseRef lease, double progress, std::optional<std::string> preview_jpeg, Millis extend,
                             StoreDone<Job> done) {
  if (std::isnan(progress)) {
    return done(genq::fail(Error::invalid("progress is not a number")));
  }
  post<Job>(
      [this, lease = std::move(lease), progress, preview_jpeg = std::move(preview_jpeg), extend](Connection& c) {
        return postgres::record_progress(c, lease, progress, preview_jpeg, clock_.now(), extend);
      },
      kWorkerBookkeeping, std::move(done));
}

void PostgresStore::complete(LeaseRef lease, JobResult result, StoreDone<Job> done) {
  post<Job>([this, lease = std::move(lease), result = std::move(result)](
                Connection& c) { return postgres::complete_job(c, lease, result, clock_.now()); },
            kToldToClients, std::move(done));
}

void PostgresStore::record_upload(LeaseRef lease, std::string key, std::string mime, StoreDone<Job> done) {
  post<Job>([lease = std::move(lease), key = std::move(key), mime = std::move(mime)](
                Connection& c) { return postgres::record_upload(c, lease, key, mime); },
            kToldToClients, std::move(done));
}

void PostgresStore::release(LeaseRef lease, StoreDone<Job> done) {
  post<Job>([lease = std::move(lease)](Connection& c) { return postgres::release_job(c, lease); }, kWorkerBookkeeping,
            std::move(done));
}

void PostgresStore::fail(LeaseRef lease, std::string message, bool retryable, std::string error_code,
                         std::string detail, StoreDone<Job> done) {
  post<Job>(
      [this, lease = std::move(lease), message = std::move(message), retryable, error_code = std::move(error_code),
       detail = std::move(detail)](Connection& c) {
        return postgres::fail_job(c, lease, message, retryable, error_code, detail, clock_.now());
      },
      kToldToClients, std::move(done));
}

void PostgresStore::cancel(std::string job_id, std::string client_id, StoreDone<Job> done) {
  post<Job>([this, job_id = std::move(job_id), client_id = std::move(client_id)](
                Connection& c) { return postgres::cancel_job(c, job_id, client_id, clock_.now()); },
            kToldToClients, std::move(done));
}

void PostgresStore::retry(std::string job_id, std::string client_id, StoreDone<Job> done) {
  post<Job>([this, job_id = std::move(job_id), client_id = std::move(client_id)](
                Connection& c) { return postgres::retry_job(c, job_id, client_id, clock_.now()); },
            kToldToClients, std::move(done));
}

void PostgresStore::purge_pending(PurgeRequest request, StoreDone<std::vector<Job>> done) {
  post<std::vector<Job>>([this, request = std::move(request)](
                             Connection& c) { return postgres::purge_pending_jobs(c, request, clock_.now()); },
                         kToldToClients, std::move(done));
}

template <class Batch>
Result<std::vector<Job>> PostgresStore::sweep_jobs(Batch batch_of) {
  std::vector<Job> changed;
  while (true) {
    Result<std::vector<Job>> batch = postgres::transact<std::vector<Job>>(*pool_, batch_of);
    if (!batch) {
      return batch;
    }
    const bool full = batch->size() == static_cast<std::size_t>(kSweepBatch);
    changed.insert(changed.end(), std::make_move_iterator(batch->begin()), std::make_move_iterator(batch->end()));
    if (!full) {
      break;
    }
  }
  std::sort(changed.begin(), changed.end(), [](const Job& a, const Job& b) { return a.seq < b.seq; });
  if (!changed.empty()) {
    std::lock_guard lock(deliveries_queued_mutex_);
    if (deliveries_queued_) {
      deliveries_queued_();  // a job that ended here may have queued job.failed
    }
  }
  return changed;
}

Result<std::vector<Job>> PostgresStore::requeue_expired(TimePoint now) {
  return sweep_jobs([now](Connection& c) { return postgres::requeue_expired_batch(c, now, kSweepBatch); });
}

Result<std::vector<Job>> PostgresStore::expire_deadlines(TimePoint now) {
  return sweep_jobs([now](Connection& c) { return postgres::expire_deadlines_batch(c, now, kSweepBatch); });
}

Result<std::vector<std::string>> PostgresStore::expire_results(TimePoint before) {
  std::vector<std::string> keys;
  while (true) {
    Result<int> cleared = postgres::transact<int>(
        *pool_, [&](Connection& c) { return postgres::expire_results_batch(c, before, kSweepBatch, keys); });
    if (!cleared) {
      return genq::fail(std::move(cleared.error()));
    }
    if (*cleared < kSweepBatch) {
      break;
    }
  }
  // Idempotency keys past their window no longer count; this sweep runs periodically,
  // so it also keeps that table from growing forever.
  while (true) {
    Result<std::int64_t> forgotten = postgres::transact<std::int64_t>(
        *pool_, [&](Connection& c) { return postgres::forget_idempotency_keys(c, clock_.now(), kSweepBatch); });
    if (!forgotten) {
      return genq::fail(std::move(forgotten.error()));
    }
    if (*forgotten < kSweepBatch) {
      break;
    }
  }
  return keys;
}

Result<std::int64_t> PostgresStore::delete_finished_jobs(TimePoint before, int limit) {
  return postgres::transact<std::int64_t>(*pool_, [&](Connection& c) {
    return postgres::delete_finished_jobs_batch(c, before, limit, clock_.now());
  });
}

Result<Job> PostgresStore::get(const std::string& job_id) {
  Result<std::optional<Job>> job =
      postgres::read<std::optional<Job>>(*pool_, [&](Connection& c) { return postgres::find_job(c, job_id); });
  if (!job) {
    return genq::fail(std::move(job.error()));
  }
  if (!*job) {
    return genq::fail(Error::not_found("job not found"));
  }
  return std::move(**job);
}

void PostgresStore::get(std::string job_id, StoreDone<Job> done) { reads_->get(std::move(job_id), std::move(done)); }

Result<std::optional<std::int64_t>> PostgresStore::queue_position(const Job& job) {
  return postgres::read<std::optional<std::int64_t>>(
      *pool_, [&](Connection& c) { return postgres::pending_ahead_of(c, job.id); });
}

Result<std::vector<PendingEntry>> PostgresStore::pending_entries() {
  return postgres::read<std::vector<PendingEntry>>(*pool_,
                                                   [](Connection& c) { return postgres::list_pending_entries(c); });
}

Result<StatusCounts> PostgresStore::count_by_status() {
  return postgres::read<StatusCounts>(*pool_, [](Connection& c) { return postgres::count_jobs_by_status(c); });
}

Result<std::vector<ModelQueue>> PostgresStore::pending_by_model() {
  return postgres::read<std::vector<ModelQueue>>(*pool_,
                                                 [](Connection& c) { return postgres::list_model_queues(c); });
}

Result<JobPage> PostgresStore::list_jobs(const JobListQuery& query) {
  // One snapshot for the total and the page (read committed would give each its own).
  return postgres::transact<JobPage>(*pool_, [&](Connection& c) -> Result<JobPage> {
    if (Status snapshot = c.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"); !snapshot) {
      return genq::fail(std::move(snapshot.error()));
    }
    return postgres::list_jobs(c, query);
  });
}

Result<std::vector<Job>> PostgresStore::jobs_to_replay(const std::string& client_id, TimePoint ended_since,
                                                       int limit) {
  return postgres::read<std::vector<Job>>(
      *pool_, [&](Connection& c) { return postgres::list_jobs_to_replay(c, client_id, ended_since, limit); });
}

Result<std::vector<ModelLoad>> PostgresStore::load_by_model() {
  return postgres::read<std::vector<ModelLoad>>(*pool_, [](Connection& c) { return postgres::list_model_loads(c); });
}

Status PostgresStore::record_workers(const std::vector<WorkerSighting>& sightings, TimePoint forget_before) {
  Result<bool> recorded = postgres::transact<bool>(*pool_, [&](Connection& c) -> Result<bool> {
    if (Status upserted = postgres::upsert_workers(c, sightings, forget_before); !upserted) {
      return genq::fail(std::move(upserted.error()));
    }
    return true;
  });
  if (!recorded) {
    return genq::fail(std::move(recorded.error()));
  }
  return {};
}

Result<std::vector<WorkerRecord>> PostgresStore::list_workers(TimePoint since, TimePoint now) {
  return postgres::read<std::vector<WorkerRecord>>(
      *pool_, [&](Connection& c) { return postgres::read_workers(c, since, now); });
}

}  // namespace genq
