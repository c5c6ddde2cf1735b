#pragma once
// The embedded default store: jobs and accounts in one SQLite database file.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/store/credential_cache.hpp"
#include "genq/store/store.hpp"

namespace genq {

namespace sqlite {
class Connection;
class GroupCommitWriter;
class ReadPool;
class RecentJobs;
enum class CommitSync;
}  // namespace sqlite

struct SqliteOptions {
  std::string path;  // database file; created (with its schema) if missing
  // synchronous=FULL fsyncs the WAL at every commit: an acknowledged write survives
  // power loss. NORMAL survives kill -9 of the process but not power loss.
  bool sync_full = true;
  int read_connections = 4;  // pooled read-only connections (at least 1)
  // How long a statement waits for another process's lock (genq admin writing to
  // the same file) before the call fails with Unavailable.
  Millis busy_timeout{5000};
};

// JobStore, AccountStore and DeliveryStore over one SQLite file in WAL mode. The job
// transitions write their webhook deliveries in the same transaction (outbox.hpp).
//
// Mutations go through a single writer thread with group commit (see
// GroupCommitWriter): the calls queued while a batch commits share the next
// transaction and fsync, and each is answered only once its change is durable. Reads run on a pool of read-only
// connections beside the writer and see every write that has returned.
//
// Thread-safe. Other processes may open the same file at the same time (they wait
// for the write lock up to busy_timeout). Owns its connections; borrows `clock`, which
// must outlive it. Destroy only after every call has returned.
class SqliteStore final : public Store {
 public:
  // Opens or creates the database, enables WAL and migrates the schema.
  // Invalid if the file comes from a newer genq; Unavailable if it stays locked;
  // Internal for any other sqlite failure.
  static Result<std::unique_ptr<SqliteStore>> open(const SqliteOptions& options, const Clock& clock);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  // Committed write transactions, and the write calls they carried: with many
  // concurrent writers commits() stays far below writes().
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

 private:
  SqliteStore(const Clock& clock, std::unique_ptr<sqlite::GroupCommitWriter> writer,
              std::unique_ptr<sqlite::ReadPool> readers);

  template <class T, class Fn>
  void post_jobs(Fn fn, sqlite::CommitSync sync, StoreDone<T> done);
  template <class T, class Fn>
  Result<T> write_jobs(Fn fn, sqlite::CommitSync sync);
  void after_batch(sqlite::Connection& writer);

  const Clock& clock_;
  // Status polls and credential checks answered from memory (see their headers).
  std::unique_ptr<sqlite::RecentJobs> recent_jobs_;
  CredentialCache<Client> clients_by_key_;
  CredentialCache<WorkerToken> workers_by_token_;
  std::uint64_t outbox_rows_seen_ = 0;  // used by the group-commit leader only
  std::mutex deliveries_queued_mutex_;
  std::function<void()> deliveries_queued_;  // GUARDED_BY(deliveries_queued_mutex_)
  // Readers are declared last so they close first: the writer's connection, closing
  // last, checkpoints the WAL back into the database file.
  std::unique_ptr<sqlite::GroupCommitWriter> writer_;
  std::unique_ptr<sqlite::ReadPool> readers_;
};

}  // namespace genq
