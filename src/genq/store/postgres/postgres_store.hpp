#pragma once
// The scale-out store: jobs, accounts and the webhook outbox in one PostgreSQL
// database that any number of genq nodes share (docs/scale-out.md).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "genq/core/clock.hpp"
#include "genq/store/credential_cache.hpp"
#include "genq/store/secret_store.hpp"
#include "genq/store/store.hpp"

namespace genq {

namespace postgres {
class ChangeListener;
class ConnectionPool;
class JobReadBatcher;
class WriteQueue;
enum class CommitSync;
}  // namespace postgres

struct PostgresOptions {
  std::string dsn;  // postgres://user[:password]@host[:port]/database, or libpq key=value
  // Connections beside the write queue's: reads, sweeps, account and delivery writes.
  int pool_connections = 4;
  // Listen (on one more connection) for account changes other processes make, and
  // forget cached credentials when one comes: what a serving node does, so a disabled
  // client or a rotated secret takes effect on every node at once. Short-lived
  // processes (genq admin, tests) leave it off and rely on the cache's 5 s limit.
  bool hear_account_changes = false;
};

// Store over PostgreSQL (libpq). Every node opens its own PostgresStore on the same
// database; together they keep SqliteStore's observable semantics (the shared store
// test suite runs against both):
//   - the job transitions queue on a connection thread (postgres::WriteQueue) and run
//     in batches, one transaction and commit each, every operation in a savepoint;
//   - claims take the oldest pending jobs of each model with FOR UPDATE SKIP LOCKED,
//     so nodes claiming at once never lease one job twice and never wait on each other;
//   - lease-checked updates lock the job row and repeat the check in their WHERE;
//   - webhook deliveries are inserted in the transition's own transaction;
//   - sweeps work in bounded batches that skip rows another node is sweeping;
//   - account changes notify every node (NOTIFY genq_accounts in their transaction),
//     whose credential caches then forget what they held;
//   - secrets every node must share are created once (SecretStore).
// Times come from the Clock the store is given, as in SqliteStore: give production
// nodes clocks that agree (NTP), since one node's lease expiry is judged by another's.
//
// Thread-safe. Borrows `clock`, which must outlive it. Destroy only after every call
// has returned (drain()).
class PostgresStore final : public Store, public SecretStore {
 public:
  // Connects, migrates the schema (under an advisory lock: several nodes may start at
  // once) and starts the connection thread. Unavailable if the server cannot be
  // reached; Invalid if the database comes from a newer genq; Internal otherwise.
  static Result<std::unique_ptr<PostgresStore>> open(const PostgresOptions& options, const Clock& clock);

  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;
  ~PostgresStore() override;

  // Committed batches of job transitions, and the transitions they carried.
  std::uint64_t commits() const override;
  std::uint64_t writes() const override;
  const Histogram& commit_batch_sizes() const override;
  const Histogram& commit_seconds() const override;
  Result<std::int64_t> seal_stored_secrets() override;
  Result<std::vector<DisabledEndpoint>> note_endpoint_attempts(const std::vector<EndpointAttempt>& attempts,
                                                               const EndpointRules& rules) override;
  Result<std::int64_t> recover_account_webhook(const std::string& client_id, TimePoint since,
                                               TimePoint until) override;

  void on_deliveries_queued(std::function<void()> wake) override;

  // JobStore
  using JobStore::cancel;
  using JobStore::claim;
  using JobStore::complete;
  using JobStore::fail;
  using JobStore::heartbeat;
  using JobStore::progress;
  using JobStore::record_upload;
  using JobStore::purge_pending;
  using JobStore::release;
  using JobStore::retry;
  using JobStore::get;
  using JobStore::submit;
  void submit(NewJob job, StoreDone<SubmitOutcome> done) override;
  Result<Job> get(const std::string& job_id) override;
  // Batched with the other reads queued at the time (postgres::JobReadBatcher).
  void get(std::string job_id, StoreDone<Job> done) override;
  Result<std::optional<std::int64_t>> queue_position(const Job& job) override;
  Result<std::vector<PendingEntry>> pending_entries() override;
  void claim(ClaimRequest request, StoreDone<std::vector<Lease>> done) override;
  void heartbeat(LeaseRef lease, Millis extend, StoreDone<TimePoint> done) override;
  void progress(LeaseRef lease, double progress, std::optional<std::string> preview_jpeg, Millis extend,
                StoreDone<Job> done) override;
  void complete(LeaseRef lease, JobResult result, StoreDone<Job> done) override;
  void record_upload(LeaseRef lease, std::string key, std::string mime, StoreDone<Job> done) override;
  void release(LeaseRef lease, StoreDone<Job> done) override;
  void fail(LeaseRef lease, std::string message, bool retryable, std::string error_code, std::string detail,
            StoreDone<Job> done) override;
  void cancel(std::string job_id, std::string client_id, StoreDone<Job> done) override;
  void retry(std::string job_id, std::string client_id, StoreDone<Job> done) override;
  void purge_pending(PurgeRequest request, StoreDone<std::vector<Job>> done) override;
  Result<std::vector<Job>> expire_deadlines(TimePoint now) override;
  Result<std::vector<Job>> requeue_expired(TimePoint now) override;
  Result<std::vector<std::string>> expire_results(TimePoint before) override;
  Result<std::int64_t> delete_finished_jobs(TimePoint before, int limit) override;
  Result<StatusCounts> count_by_status() override;
  Result<std::vector<ModelQueue>> pending_by_model() override;
  Result<JobPage> list_jobs(const JobListQuery& query) override;
  Result<std::vector<Job>> jobs_to_replay(const std::string& client_id, TimePoint ended_since, int limit) override;
  Result<std::vector<ModelLoad>> load_by_model() override;
  Status record_workers(const std::vector<WorkerSighting>& sightings, TimePoint forget_before) override;
  Result<std::vector<WorkerRecord>> list_workers(TimePoint since, TimePoint now) override;
  void drain() override;

  // AccountStore
  Result<Client> create_client(const Client& client, const std::string& api_key_hash) override;
  Status add_api_key(const std::string& client_id, const std::string& api_key_hash) override;
  Result<Client> find_client_by_key(const std::string& api_key_hash) override;
  Result<Client> get_client(const std::string& client_id) override;
  Result<std::vector<Client>> list_clients() override;
  Status set_client_disabled(const std::string& client_id, bool disabled) override;
  Status set_client_limits(const std::string& client_id, const ClientLimits& limits) override;
  Status set_account_webhook(const std::string& client_id, const std::string& url,
                             const std::vector<std::string>& events) override;
  Result<Client> rotate_webhook_secret(const std::string& client_id, const std::string& new_secret,
                                       TimePoint previous_until) override;
  Result<Balance> get_balance(const std::string& client_id) override;
  Result<Balance> top_up(const std::string& client_id, std::int64_t amount_nanos, const std::string& note) override;
  Result<Balance> set_unlimited(const std::string& client_id, bool unlimited) override;
  Result<LedgerPage> list_ledger(const std::string& client_id, std::int64_t offset, std::int64_t limit) override;
  Result<WorkerToken> create_worker_token(const WorkerToken& token, const std::string& token_hash) override;
  Result<WorkerToken> find_worker_by_token(const std::string& token_hash) override;
  Result<std::vector<WorkerToken>> list_worker_tokens() override;
  Result<std::vector<ApiKeyInfo>> list_api_keys(const std::string& client_id) override;
  Status revoke_api_key(const std::string& client_id, const std::string& key_id) override;
  Status set_worker_token_disabled(const std::string& token_id, bool disabled) override;
  Status delete_worker_token(const std::string& token_id) override;

  // DeliveryStore
  Result<std::vector<std::string>> due_hosts(TimePoint now) override;
  Result<std::vector<DueDelivery>> due_deliveries(const DueQuery& query) override;
  Result<std::optional<TimePoint>> next_delivery_time(TimePoint after) override;
  Status record_attempts(const std::vector<AttemptRecord>& attempts) override;
  Result<std::vector<DeliveryRecord>> deliveries_for_job(const std::string& job_id,
                                                         const std::string& client_id) override;
  Result<DeliveryRecord> redeliver(const std::string& delivery_id, const std::string& client_id) override;
  Result<std::int64_t> count_pending_deliveries() override;
  Result<std::int64_t> prune_deliveries(TimePoint before) override;

  // SecretStore
  Result<std::string> shared_secret(const std::string& name, const std::string& value_if_new) override;

 private:
  PostgresStore(const Clock& clock, std::unique_ptr<postgres::WriteQueue> writes,
                std::unique_ptr<postgres::ConnectionPool> pool);

  template <class T, class Fn>
  void post(Fn fn, postgres::CommitSync sync, StoreDone<T> done);
  // An account changed: forget this node's cached credentials, and have the change's
  // transaction tell the others (`fn` is a Status or Result operation on a connection).
  template <class T, class Fn>
  Result<T> change_accounts(Fn fn);
  void forget_credentials();
  // Runs `batch_of(Connection&)` (up to kSweepBatch jobs changed) in transactions until
  // a batch comes back short; the jobs changed, in seq order.
  template <class Batch>
  Result<std::vector<Job>> sweep_jobs(Batch batch_of);

  const Clock& clock_;
  // Credential checks answered from memory for a few seconds (credential_cache.hpp):
  // a change made on another node is seen within that time.
  CredentialCache<Client> clients_by_key_;
  CredentialCache<WorkerToken> workers_by_token_;
  std::uint64_t outbox_rows_seen_ = 0;  // used by the write queue's thread only
  std::mutex deliveries_queued_mutex_;
  std::function<void()> deliveries_queued_;  // GUARDED_BY(deliveries_queued_mutex_)
  std::unique_ptr<postgres::ConnectionPool> pool_;
  std::unique_ptr<postgres::WriteQueue> writes_;  // its thread stops before the pool goes
  std::unique_ptr<postgres::JobReadBatcher> reads_;  // its threads stop before the pool goes
  std::unique_ptr<postgres::ChangeListener> account_changes_;  // null unless hear_account_changes; stops first
};

}  // namespace genq
