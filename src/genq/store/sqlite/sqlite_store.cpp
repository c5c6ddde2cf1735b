#include "genq/store/sqlite/sqlite_store.hpp"

#include <cmath>

#include "genq/store/sqlite/account_ops.hpp"
#include "genq/store/sqlite/delivery_ops.hpp"
#include "genq/store/sqlite/group_commit_writer.hpp"
#include "genq/store/sqlite/job_ops.hpp"
#include "genq/store/sqlite/ledger_ops.hpp"
#include "genq/store/sqlite/read_pool.hpp"
#include "genq/store/sqlite/recent_jobs.hpp"
#include "genq/store/sqlite/schema.hpp"
#include "genq/store/sqlite/endpoint_health.hpp"
#include "genq/store/sqlite/secret_sealing.hpp"
#include "genq/store/sealed_secrets.hpp"

namespace genq {

using sqlite::Connection;
using sqlite::Statement;

namespace {

// Claims, heartbeats, progress and released claims commit without waiting for the
// fsync (CommitSync::Lazy): each is acknowledged only to a worker, and a crash that
// forgets one makes the job run again, as an expired lease does. Submits, completions,
// failures and cancels, which clients are told of, are always fsynced.
constexpr sqlite::CommitSync kWorkerBookkeeping = sqlite::CommitSync::Lazy;
constexpr sqlite::CommitSync kToldToClients = sqlite::CommitSync::Full;

// Enough for the jobs of the last minutes of a busy server (a pending image job is
// about 1 KB; previews and text results weigh more); polls of older jobs read the file.
constexpr std::size_t kRecentJobsBytes = std::size_t{8} << 20;

// Pragmas of the writer connection. journal_mode=WAL is persistent (stored in the
// file), so the read-only connections and other processes inherit it.
Status configure_writer(Connection& connection, const SqliteOptions& options) {
  // Pages freed by retention go back to the file system (incremental_vacuum after each
  // deletion) instead of staying in the file. Takes effect only on a database created
  // with it; an older one keeps its pages until a `VACUUM` (docs/reliability.md).
  if (Status vacuum = connection.exec("PRAGMA auto_vacuum = INCREMENTAL"); !vacuum) {
    return vacuum;
  }
  Result<Statement> wal = connection.prepare("PRAGMA journal_mode = WAL");
  if (!wal) {
    return fail(std::move(wal.error()));
  }
  Result<bool> row = wal->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  // A database on a file system without shared memory support stays in its old mode;
  // readers beside the writer would then block, so refuse instead of limping.
  if (!*row || wal->column_text(0) != "wal") {
    return fail(Error::internal("could not enable WAL mode on " + options.path));
  }
  return connection.exec(options.sync_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const SqliteOptions& options, const Clock& clock) {
  if (options.path.empty()) {
    return genq::fail(Error::invalid("sqlite path is empty"));
  }
  Result<std::unique_ptr<Connection>> connection =
      Connection::open(options.path, Connection::Mode::ReadWrite, options.busy_timeout);
  if (!connection) {
    return genq::fail(std::move(connection.error()));
  }
  if (Status configured = configure_writer(**connection, options); !configured) {
    return genq::fail(std::move(configured.error()));
  }
  if (Status migrated = sqlite::migrate(**connection); !migrated) {
    return genq::fail(std::move(migrated.error()));
  }
  // Readers open after the writer: the file, its schema and the WAL exist by now.
  Result<std::unique_ptr<sqlite::ReadPool>> readers =
      sqlite::ReadPool::open(options.path, options.read_connections, options.busy_timeout);
  if (!readers) {
    return genq::fail(std::move(readers.error()));
  }
  auto writer = std::make_unique<sqlite::GroupCommitWriter>(std::move(*connection), options.sync_full);
  return std::unique_ptr<SqliteStore>(new SqliteStore(clock, std::move(writer), std::move(*readers)));
}

SqliteStore::SqliteStore(const Clock& clock, std::unique_ptr<sqlite::GroupCommitWriter> writer,
                         std::unique_ptr<sqlite::ReadPool> readers)
    : clock_(clock),
      recent_jobs_(std::make_unique<sqlite::RecentJobs>(kRecentJobsBytes)),
      writer_(std::move(writer)),
      readers_(std::move(readers)) {
  writer_->on_batch_committed([this](Connection& connection) { after_batch(connection); });
}

void SqliteStore::on_deliveries_queued(std::function<void()> wake) {
  std::lock_guard lock(deliveries_queued_mutex_);
  deliveries_queued_ = std::move(wake);
}

void SqliteStore::after_batch(Connection& writer) {
  if (writer.outbox_rows() == outbox_rows_seen_) {
    return;
  }
  outbox_rows_seen_ = writer.outbox_rows();
  std::lock_guard lock(deliveries_queued_mutex_);
  if (deliveries_queued_) {
    deliveries_queued_();
  }
}

SqliteStore::~SqliteStore() {
  readers_.reset();  // explicit: the order matters (see the member comment)
  writer_.reset();
}

void SqliteStore::drain() { writer_->drain(); }

std::uint64_t SqliteStore::commits() const { return writer_->commits(); }
std::uint64_t SqliteStore::writes() const { return writer_->writes(); }
const Histogram& SqliteStore::commit_batch_sizes() const { return writer_->batch_sizes(); }
const Histogram& SqliteStore::commit_seconds() const { return writer_->commit_seconds(); }

Result<std::vector<DisabledEndpoint>> SqliteStore::note_endpoint_attempts(const std::vector<EndpointAttempt>& attempts,
                                                                          const EndpointRules& rules) {
  if (attempts.empty()) return std::vector<DisabledEndpoint>{};
  return writer_->write_result<std::vector<DisabledEndpoint>>(
      [&](Connection& connection) { return sqlite::note_endpoint_attempts(connection, attempts, rules); },
      [this](const std::vector<DisabledEndpoint>&) { clients_by_key_.clear(); });
}

Result<std::int64_t> SqliteStore::recover_account_webhook(const std::string& client_id, TimePoint since,
                                                          TimePoint until) {
  return writer_->write_result<std::int64_t>(
      [&](Connection& connection) {
        return sqlite::recover_account_webhook(connection, client_id, since, until, clock_.now());
      },
      [this](const std::int64_t&) { clients_by_key_.clear(); });
}

Result<std::int64_t> SqliteStore::seal_stored_secrets() {
  if (!secret_box()) return std::int64_t{0};  // no key: no write transaction either
  return writer_->write_result<std::int64_t>(
      [](Connection& connection) { return sqlite::seal_stored_secrets(connection); },
      [this](const std::int64_t&) {
        clients_by_key_.clear();
        recent_jobs_->clear();
      });
}

// The jobs a job write returns, whatever shape its result has.
namespace {
template <class Visit>
void for_each_job(const Job& job, Visit visit) { visit(job); }
template <class Visit>
void for_each_job(const SubmitOutcome& outcome, Visit visit) { visit(outcome.job); }
template <class Visit>
void for_each_job(const std::vector<Job>& jobs, Visit visit) {
  for (const Job& job : jobs) visit(job);
}
template <class Visit>
void for_each_job(const std::vector<Lease>& leases, Visit visit) {
  for (const Lease& lease : leases) visit(lease.job);
}
// Jobs a write changed and must drop from RecentJobs before it commits: all of them,
// except a submit's, which is new (or, replayed, unchanged).
template <class T>
void forget_changed(sqlite::RecentJobs& recent, const T& result) {
  for_each_job(result, [&](const Job& job) { recent.forget(job.id); });
}
void forget_changed(sqlite::RecentJobs&, const SubmitOutcome&) {}
}  // namespace

// A write that changes jobs and returns them: RecentJobs forgets them inside the
// transaction, before the batch commits, and stores their new state once it has
// committed, in commit order (recent_jobs.hpp). `fn` owns what it needs: it runs
// later, on the writer thread.
template <class T, class Fn>
void SqliteStore::post_jobs(Fn fn, sqlite::CommitSync sync, StoreDone<T> done) {
  writer_->post_result<T>(
      [this, fn = std::move(fn)](Connection& connection) mutable {
        Result<T> result = fn(connection);
        if (result) {
          forget_changed(*recent_jobs_, *result);
        }
        return result;
      },
      [this](const T& result) { for_each_job(result, [this](const Job& job) { recent_jobs_->put(job); }); }, sync,
      std::move(done));
}

// post_jobs() for callers that wait (the lease sweep).
template <class T, class Fn>
Result<T> SqliteStore::write_jobs(Fn fn, sqlite::CommitSync sync) {
  return writer_->write_result<T>(
      [&](Connection& connection) {
        Result<T> result = fn(connection);
        if (result) {
          for_each_job(*result, [this](const Job& job) { recent_jobs_->forget(job.id); });
        }
        return result;
      },
      [this](const T& result) { for_each_job(result, [this](const Job& job) { recent_jobs_->put(job); }); }, sync);
}

// Each mutation reads the clock inside its operation, on the writer thread at the
// moment the batch runs, so times follow commit order.

void SqliteStore::submit(NewJob job, StoreDone<SubmitOutcome> done) {
  post_jobs<SubmitOutcome>(
      [this, job = std::move(job)](Connection& connection) { return sqlite::submit_job(connection, job, clock_.now()); },
      kToldToClients, std::move(done));
}

void SqliteStore::claim(ClaimRequest request, StoreDone<std::vector<Lease>> done) {
  post_jobs<std::vector<Lease>>(
      [this, request = std::move(request)](Connection& connection) {
        return sqlite::claim_jobs(connection, request, clock_.now());
      },
      kWorkerBookkeeping, std::move(done));
}

void SqliteStore::heartbeat(LeaseRef lease, Millis extend, StoreDone<TimePoint> done) {
  const std::string job_id = lease.job_id;
  writer_->post_result<TimePoint>(
      [this, lease = std::move(lease), extend](Connection& connection) {
        return sqlite::heartbeat_lease(connection, lease, clock_.now(), extend);
      },
      [this, job_id](TimePoint expires) { recent_jobs_->extend_lease(job_id, expires); }, kWorkerBookkeeping,
      std::move(done));
}

void SqliteStore::progress(LeaseRef lease, double progress, std::optional<std::string> preview_jpeg, Millis extend,
                           StoreDone<Job> done) {
  if (std::isnan(progress)) {
    return done(genq::fail(Error::invalid("progress is not a number")));
  }
  post_jobs<Job>(
      [this, lease = std::move(lease), progress, preview_jpeg = std::move(preview_jpeg), extend](Connection& connection) {
        return sqlite::record_progress(connection, lease, progress, preview_jpeg, clock_.now(), extend);
      },
      kWorkerBookkeeping, std::move(done));
}

void SqliteStore::complete(LeaseRef lease, JobResult result, StoreDone<Job> done) {
  post_jobs<Job>(
      [this, lease = std::move(lease), result = std::move(result)](Connection& connection) {
        return sqlite::complete_job(connection, lease, result, clock_.now());
      },
      kToldToClients, std::move(done));
}

void SqliteStore::record_upload(LeaseRef lease, std::string key, std::string mime, StoreDone<Job> done) {
  post_jobs<Job>(
      [lease = std::move(lease), key = std::move(key), mime = std::move(mime)](Connection& connection) {
        return sqlite::record_upload(connection, lease, key, mime);
      },
      kToldToClients, std::move(done));
}

void SqliteStore::release(LeaseRef lease, StoreDone<Job> done) {
  post_jobs<Job>([lease = std::move(lease)](Connection& connection) { return sqlite::release_job(connection, lease); },
                 kWorkerBookkeeping, std::move(done));
}

void SqliteStore::fail(LeaseRef lease, std::string message, bool retryable, std::string error_code,
                       std::string detail, StoreDone<Job> done) {
  post_jobs<Job>(
      [this, lease = std::move(lease), message = std::move(message), retryable, error_code = std::move(error_code),
       detail = std::move(detail)](Connection& connection) {
        return sqlite::fail_job(connection, lease, message, retryable, error_code, detail, clock_.now());
      },
      kToldToClients, std::move(done));
}

void SqliteStore::cancel(std::string job_id, std::string client_id, StoreDone<Job> done) {
  post_jobs<Job>(
      [this, job_id = std::move(job_id), client_id = std::move(client_id)](Connection& connection) {
        return sqlite::cancel_job(connection, job_id, client_id, clock_.now());
      },
      kToldToClients, std::move(done));
}

void SqliteStore::retry(std::string job_id, std::string client_id, StoreDone<Job> done) {
  post_jobs<Job>(
      [this, job_id = std::move(job_id), client_id = std::move(client_id)](Connection& connection) {
        return sqlite::retry_job(connection, job_id, client_id, clock_.now());
      },
      kToldToClients, std::move(done));
}

void SqliteStore::purge_pending(PurgeRequest request, StoreDone<std::vector<Job>> done) {
  post_jobs<std::vector<Job>>(
      [this, request = std::move(request)](Connection& connection) {
        return sqlite::purge_pending_jobs(connection, request, clock_.now());
      },
      kToldToClients, std::move(done));
}

Result<std::vector<Job>> SqliteStore::expire_deadlines(TimePoint now) {
  return write_jobs<std::vector<Job>>(
      [&](Connection& connection) { return sqlite::expire_job_deadlines(connection, now); }, kToldToClients);
}

Result<std::vector<Job>> SqliteStore::requeue_expired(TimePoint now) {
  return write_jobs<std::vector<Job>>(
      [&](Connection& connection) { return sqlite::requeue_expired_leases(connection, now); },
      kToldToClients);
}

Result<std::vector<std::string>> SqliteStore::expire_results(TimePoint before) {
  return writer_->write_result<std::vector<std::string>>(
      [&](Connection& connection) {
        recent_jobs_->clear();  // before the commit, like write_jobs()
        return sqlite::expire_job_results(connection, before, clock_.now());
      },
      [this](const std::vector<std::string>&) { recent_jobs_->clear(); });
}

Result<std::int64_t> SqliteStore::delete_finished_jobs(TimePoint before, int limit) {
  return writer_->write_result<std::int64_t>(
      [&](Connection& connection) -> Result<std::int64_t> {
        recent_jobs_->clear();  // before the commit, like write_jobs()
        Result<std::int64_t> deleted = sqlite::delete_finished_jobs(connection, before, limit, clock_.now());
        if (deleted && *deleted > 0) {
          if (Status vacuumed = connection.exec("PRAGMA incremental_vacuum"); !vacuumed) {
            return genq::fail(std::move(vacuumed.error()));
          }
        }
        return deleted;
      },
      [this](const std::int64_t&) { recent_jobs_->clear(); });
}

Result<Job> SqliteStore::get(const std::string& job_id) {
  if (std::optional<Job> recent = recent_jobs_->find(job_id)) {
    return std::move(*recent);
  }
  sqlite::ReadPool::Lease reader = readers_->acquire();
  Result<std::optional<Job>> job = sqlite::find_job(*reader, job_id);
  if (!job) {
    return genq::fail(std::move(job.error()));
  }
  if (!*job) {
    return genq::fail(Error::not_found("job not found"));
  }
  return std::move(**job);
}

Result<std::optional<std::int64_t>> SqliteStore::queue_position(const Job& job) {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::pending_ahead_of(*reader, job.id);
}

Result<std::vector<PendingEntry>> SqliteStore::pending_entries() {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::list_pending_entries(*reader);
}

Result<StatusCounts> SqliteStore::count_by_status() {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::count_jobs_by_status(*reader);
}

Result<std::vector<ModelQueue>> SqliteStore::pending_by_model() {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::list_model_queues(*reader);
}

Result<JobPage> SqliteStore::list_jobs(const JobListQuery& query) {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::list_jobs(*reader, query);
}

Result<std::vector<Job>> SqliteStore::jobs_to_replay(const std::string& client_id, TimePoint ended_since, int limit) {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::list_jobs_to_replay(*reader, client_id, ended_since, limit);
}

Result<std::vector<ModelLoad>> SqliteStore::load_by_model() {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::list_model_loads(*reader);
}

Status SqliteStore::record_workers(const std::vector<WorkerSighting>& sightings, TimePoint forget_before) {
  // Presence is advisory: a write lost to a crash is repeated by the next flush.
  return writer_->write(
      [&](Connection& connection) { return sqlite::upsert_workers(connection, sightings, forget_before); }, {},
      kWorkerBookkeeping);
}

Result<std::vector<WorkerRecord>> SqliteStore::list_workers(TimePoint since, TimePoint now) {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::read_workers(*reader, since, now);
}

Result<Client> SqliteStore::create_client(const Client& client, const std::string& api_key_hash) {
  return writer_->write_result<Client>([&](Connection& connection) {
    return sqlite::insert_client(connection, client, api_key_hash, clock_.now());
  });
}

Status SqliteStore::add_api_key(const std::string& client_id, const std::string& api_key_hash) {
  return writer_->write([&](Connection& connection) {
    return sqlite::insert_api_key(connection, client_id, api_key_hash, clock_.now());
  });
}

Status SqliteStore::set_client_disabled(const std::string& client_id, bool disabled) {
  return writer_->write(
      [&](Connection& connection) { return sqlite::update_client_disabled(connection, client_id, disabled); },
      [this] { clients_by_key_.clear(); });
}

Status SqliteStore::set_client_limits(const std::string& client_id, const ClientLimits& limits) {
  return writer_->write(
      [&](Connection& connection) { return sqlite::update_client_limits(connection, client_id, limits); },
      [this] { clients_by_key_.clear(); });
}

Status SqliteStore::set_account_webhook(const std::string& client_id, const std::string& url,
                                        const std::vector<std::string>& events) {
  return writer_->write(
      [&](Connection& connection) { return sqlite::update_account_webhook(connection, client_id, url, events); },
      [this] { clients_by_key_.clear(); });
}

Result<Client> SqliteStore::rotate_webhook_secret(const std::string& client_id, const std::string& new_secret,
                                                  TimePoint previous_until) {
  return writer_->write_result<Client>(
      [&](Connection& connection) {
        return sqlite::rotate_client_webhook_secret(connection, client_id, new_secret, previous_until);
      },
      [this](const Client&) { clients_by_key_.clear(); });
}

// Balances are read from the file, not the credential cache: every done job changes them.
Result<Balance> SqliteStore::get_balance(const std::string& client_id) {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::read_balance(*reader, client_id);
}

Result<Balance> SqliteStore::top_up(const std::string& client_id, std::int64_t amount_nanos, const std::string& note) {
  return writer_->write_result<Balance>([&](Connection& connection) {
    return sqlite::add_top_up(connection, client_id, amount_nanos, note, clock_.now());
  });
}

Result<Balance> SqliteStore::set_unlimited(const std::string& client_id, bool unlimited) {
  return writer_->write_result<Balance>(
      [&](Connection& connection) { return sqlite::update_unlimited(connection, client_id, unlimited); });
}

Result<LedgerPage> SqliteStore::list_ledger(const std::string& client_id, std::int64_t offset, std::int64_t limit) {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::read_ledger(*reader, client_id, offset, limit);
}

Result<WorkerToken> SqliteStore::create_worker_token(const WorkerToken& token,
                                                     const std::string& token_hash) {
  return writer_->write_result<WorkerToken>([&](Connection& connection) {
    return sqlite::insert_worker_token(connection, token, token_hash, clock_.now());
  });
}

Result<Client> SqliteStore::find_client_by_key(const std::string& api_key_hash) {
  return clients_by_key_.find_or_read(api_key_hash, [&] {
    sqlite::ReadPool::Lease reader = readers_->acquire();
    return sqlite::find_client_by_key_hash(*reader, api_key_hash);
  });
}

Result<Client> SqliteStore::get_client(const std::string& client_id) {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::find_client(*reader, client_id);
}

Result<std::vector<Client>> SqliteStore::list_clients() {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::all_clients(*reader);
}

Result<WorkerToken> SqliteStore::find_worker_by_token(const std::string& token_hash) {
  return workers_by_token_.find_or_read(token_hash, [&] {
    sqlite::ReadPool::Lease reader = readers_->acquire();
    return sqlite::find_enabled_worker_token(*reader, token_hash);
  });
}

Result<std::vector<WorkerToken>> SqliteStore::list_worker_tokens() {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::all_worker_tokens(*reader);
}

Result<std::vector<ApiKeyInfo>> SqliteStore::list_api_keys(const std::string& client_id) {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::client_api_keys(*reader, client_id);
}

Status SqliteStore::revoke_api_key(const std::string& client_id, const std::string& key_id) {
  return writer_->write([&](Connection& connection) { return sqlite::delete_api_key(connection, client_id, key_id); },
                        [this] { clients_by_key_.clear(); });
}

Status SqliteStore::set_worker_token_disabled(const std::string& token_id, bool disabled) {
  return writer_->write(
      [&](Connection& connection) { return sqlite::update_worker_token_disabled(connection, token_id, disabled); },
      [this] { workers_by_token_.clear(); });
}

Status SqliteStore::delete_worker_token(const std::string& token_id) {
  return writer_->write([&](Connection& connection) { return sqlite::delete_worker_token(connection, token_id); },
                        [this] { workers_by_token_.clear(); });
}

// The sender's reads go to the pool like status reads: they never wait for a commit.
// Its claims are writes.

Result<std::vector<std::string>> SqliteStore::due_hosts(TimePoint now) {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::find_due_hosts(*reader, now);
}

Result<std::vector<DueDelivery>> SqliteStore::due_deliveries(const DueQuery& query) {
  // Lazy: a claim lost in a power cut only lets the delivery be sent again, as the
  // crash itself would.
  return writer_->write_result<std::vector<DueDelivery>>(
      [&](Connection& connection) { return sqlite::claim_due_deliveries(connection, query); },
      [](const std::vector<DueDelivery>&) {}, sqlite::CommitSync::Lazy);
}

Result<std::optional<TimePoint>> SqliteStore::next_delivery_time(TimePoint after) {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::earliest_delivery_after(*reader, after);
}

Status SqliteStore::record_attempts(const std::vector<AttemptRecord>& attempts) {
  return writer_->write(
      [&](Connection& connection) { return sqlite::record_delivery_attempts(connection, attempts); });
}

Result<std::vector<DeliveryRecord>> SqliteStore::deliveries_for_job(const std::string& job_id,
                                                                    const std::string& client_id) {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::find_job_deliveries(*reader, job_id, client_id);
}

Result<DeliveryRecord> SqliteStore::redeliver(const std::string& delivery_id, const std::string& client_id) {
  return writer_->write_result<DeliveryRecord>([&](Connection& connection) {
    return sqlite::redeliver_delivery(connection, delivery_id, client_id, clock_.now());
  });
}

Result<std::int64_t> SqliteStore::count_pending_deliveries() {
  sqlite::ReadPool::Lease reader = readers_->acquire();
  return sqlite::count_pending(*reader);
}

Result<std::int64_t> SqliteStore::prune_deliveries(TimePoint before) {
  return writer_->write_result<std::int64_t>(
      [&](Connection& connection) { return sqlite::prune_finished_deliveries(connection, before); });
}

}  // namespace genq
