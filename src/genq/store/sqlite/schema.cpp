#include "genq/store/sqlite/schema.hpp"

#include <array>
#include <string>

namespace genq::sqlite {
namespace {

// Each entry moves the schema from version (index) to (index + 1). Never edit a
// shipped entry: databases in the field already ran it. Append a new one instead.
constexpr std::array<const char*, 15> kMigrations = {
    // Version 1: jobs, idempotency keys, accounts.
    R"sql(
CREATE TABLE jobs (
  -- Submit order: FIFO claims and queue positions. AUTOINCREMENT so a deleted job's
  -- number is never handed out again.
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  id               TEXT    NOT NULL UNIQUE,
  client_id        TEXT    NOT NULL,
  task             TEXT    NOT NULL,
  model            TEXT    NOT NULL,
  params_json      TEXT    NOT NULL,
  inputs_json      TEXT    NOT NULL DEFAULT '{}',
  dialect          TEXT    NOT NULL,            -- 'client' | 'task'
  status           TEXT    NOT NULL,            -- to_string(JobStatus)
  progress         REAL,
  preview_jpeg     BLOB    NOT NULL DEFAULT x'',
  result_blob      TEXT    NOT NULL DEFAULT '',
  result_mime      TEXT    NOT NULL DEFAULT '',
  result_text      TEXT,
  error            TEXT    NOT NULL DEFAULT '',
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  worker_id        TEXT    NOT NULL DEFAULT '',
  lease_id         TEXT    NOT NULL DEFAULT '',
  lease_expires_at INTEGER,                     -- unix ms, like every time below
  webhook_url      TEXT    NOT NULL DEFAULT '',
  webhook_secret   TEXT    NOT NULL DEFAULT '',
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER
);
-- claim: the oldest pending job of a model is the first entry of (pending, model).
CREATE INDEX jobs_claim ON jobs (status, model, seq);
-- requeue_expired: leases of processing/in_progress jobs in expiry order.
CREATE INDEX jobs_lease ON jobs (status, lease_expires_at);
-- expire_results: only finished jobs that still hold blobs, so the index shrinks
-- back as results expire.
CREATE INDEX jobs_blob_expiry ON jobs (finished_at)
  WHERE finished_at IS NOT NULL AND (result_blob <> '' OR inputs_json <> '{}');

CREATE TABLE idempotency_keys (
  client_id    TEXT    NOT NULL,
  key          TEXT    NOT NULL,
  request_hash TEXT    NOT NULL,
  job_id       TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (client_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE clients (
  id             TEXT    PRIMARY KEY,
  name           TEXT    NOT NULL,
  webhook_secret TEXT    NOT NULL DEFAULT '',
  webhook_url    TEXT    NOT NULL DEFAULT '',
  webhook_events TEXT    NOT NULL DEFAULT '[]',  -- JSON array of event names
  disabled       INTEGER NOT NULL DEFAULT 0,
  created_at     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE api_keys (
  hash       TEXT    PRIMARY KEY,               -- SHA-256 hex of the key
  client_id  TEXT    NOT NULL REFERENCES clients (id),
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX api_keys_client ON api_keys (client_id);

CREATE TABLE worker_tokens (
  hash       TEXT    PRIMARY KEY,               -- SHA-256 hex of the token
  id         TEXT    NOT NULL UNIQUE,
  name       TEXT    NOT NULL,
  models     TEXT    NOT NULL DEFAULT '[]',     -- JSON array; empty = every model
  disabled   INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // Version 2: the webhook outbox (docs/webhooks.md) and account secret rotation.
    R"sql(
ALTER TABLE clients ADD COLUMN webhook_secret_previous TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN webhook_secret_previous_until INTEGER;

-- One row per reported job transition, inserted in the transition's own transaction.
CREATE TABLE webhook_deliveries (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  id              TEXT    NOT NULL UNIQUE,        -- delivery id (webhook-id), stable across attempts
  job_id          TEXT    NOT NULL,
  client_id       TEXT    NOT NULL,
  event           TEXT    NOT NULL,               -- job.processing | job.completed | job.failed
  status          TEXT    NOT NULL,               -- job status the event reports
  previous_status TEXT    NOT NULL,
  error_code      TEXT    NOT NULL DEFAULT '',
  url             TEXT    NOT NULL,
  host            TEXT    NOT NULL,               -- host:port, for the per-receiver cap
  state           TEXT    NOT NULL DEFAULT 'pending',  -- pending | delivered | failed | gone
  version         INTEGER NOT NULL DEFAULT 0,     -- bumped by redeliver
  attempts        INTEGER NOT NULL DEFAULT 0,
  series_attempts INTEGER NOT NULL DEFAULT 0,     -- attempts since creation or redelivery
  next_attempt_at INTEGER,                        -- unix ms; NULL once final
  created_at      INTEGER NOT NULL,
  finished_at     INTEGER
);
-- Pending deliveries in due order (the next wake-up), and per receiver (the sender
-- serves each receiver from its own range, so one receiver's backlog is never scanned
-- to reach another's). Final deliveries leave both indexes.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_host ON webhook_deliveries (host, next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_job ON webhook_deliveries (job_id);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE webhook_attempts (
  delivery_seq  INTEGER NOT NULL,
  number        INTEGER NOT NULL,                 -- 1 = first attempt
  started_at    INTEGER NOT NULL,
  latency_ms    INTEGER NOT NULL,
  http_status   INTEGER,                          -- NULL when no response arrived
  error         TEXT    NOT NULL DEFAULT '',
  next_retry_at INTEGER,
  PRIMARY KEY (delivery_seq, number)
) WITHOUT ROWID;
)sql",
    // Version 3: balances and the usage ledger (docs/api.md, "Balance and usage").
    // Money is in integer nano-units of the catalog's currency.
    R"sql(
ALTER TABLE clients ADD COLUMN balance_nanos INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN unlimited INTEGER NOT NULL DEFAULT 0;
-- The catalog price when the job was submitted with billing on; NULL = not billed.
ALTER TABLE jobs ADD COLUMN price_nanos INTEGER;

CREATE TABLE ledger (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  client_id     TEXT    NOT NULL,
  kind          TEXT    NOT NULL,               -- charge | top_up
  amount_nanos  INTEGER NOT NULL,               -- balance change (charges negative, 0 when unlimited)
  price_nanos   INTEGER NOT NULL DEFAULT 0,     -- charge: the job's price
  balance_nanos INTEGER NOT NULL,               -- balance after the entry
  job_id        TEXT,                           -- charge: the job
  task          TEXT    NOT NULL DEFAULT '',
  model         TEXT    NOT NULL DEFAULT '',
  note          TEXT    NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL
);
-- A job is charged at most once.
CREATE UNIQUE INDEX ledger_job ON ledger (job_id) WHERE job_id IS NOT NULL;
CREATE INDEX ledger_client ON ledger (client_id, seq);
)sql",
    // Version 4: jobs_lease holds leased jobs only. Every pending and finished job had
    // an entry (its lease_expires_at is NULL) that no query reads: one index write per
    // submit and per final transition for nothing. The sweep's `lease_expires_at <= ?`
    // implies the index's condition, so it still uses it.
    R"sql(
DROP INDEX jobs_lease;
CREATE INDEX jobs_lease ON jobs (status, lease_expires_at) WHERE lease_expires_at IS NOT NULL;
)sql",
    // Version 5: a per-job version, so subscribers across nodes can drop a change that
    // arrives after a newer one (core/job.hpp). Existing jobs start at 1.
    R"sql(
ALTER TABLE jobs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
)sql",
    // Version 6: the file a worker uploaded is recorded with its job (core/job.hpp), not
    // in one process's memory: any node completes, cancels and expires it. A job that
    // ends without completing still holds its upload, so retention's index covers it.
    R"sql(
ALTER TABLE jobs ADD COLUMN upload_blob TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN upload_mime TEXT NOT NULL DEFAULT '';
DROP INDEX jobs_blob_expiry;
CREATE INDEX jobs_blob_expiry ON jobs (finished_at)
  WHERE finished_at IS NOT NULL AND (result_blob <> '' OR inputs_json <> '{}' OR upload_blob <> '');
)sql",
    // Version 7: webhook deliveries are claimed by the sender that reads them as due
    // (delivery_store.hpp), as on PostgreSQL where several nodes send. NULL: unclaimed.
    R"sql(
ALTER TABLE webhook_deliveries ADD COLUMN claimed_by TEXT;
)sql",
    // Version 8: job lists (GET /api/v1/client/jobs, /api/v1/admin/jobs), newest first,
    // worker presence (docs/operations.md, "Worker presence") and retention. Two list
    // indexes, each ending in seq so a page is read in order: a client's jobs (its
    // status and task filters read within them), and jobs by status (the admin's
    // failures; the claim index is not in seq order across models). An index per
    // filter cost durable submits 15%: every one is written at each status change.
    R"sql(
CREATE INDEX jobs_client ON jobs (client_id, seq);
CREATE INDEX jobs_status ON jobs (status, seq);
-- Retention deletes finished jobs past --job-retention-s, oldest first.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

-- The last call of each worker id seen in the last 24 hours.
CREATE TABLE workers (
  worker_id    TEXT    PRIMARY KEY,
  token_id     TEXT    NOT NULL,
  token_name   TEXT    NOT NULL,
  models       TEXT    NOT NULL DEFAULT '[]',  -- JSON array: what it last asked to claim
  last_seen_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // Version 9: the submit's X-Request-Id (core/job.hpp), for webhook attempts and
    // worker calls to carry. '' for jobs submitted before.
    R"sql(
ALTER TABLE jobs ADD COLUMN submit_request_id TEXT NOT NULL DEFAULT '';
)sql",
    // Version 10: priorities and fair share (docs/api.md, "Priorities and fair share").
    // A job's fair_round is its place among its client's queued jobs of the same model
    // and priority, counted from the lowest round still queued, so claims in (priority,
    // fair_round, seq) order alternate between clients. The claim index holds pending
    // jobs only, in that order, with client_id so a claim skipping a capped client reads
    // no rows. jobs_live counts a client's queued and running jobs for its caps, within
    // its live jobs only.
    R"sql(
ALTER TABLE jobs ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;    -- 0 low, 1 normal, 2 high
ALTER TABLE jobs ADD COLUMN fair_round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN max_priority INTEGER NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN max_queued INTEGER NOT NULL DEFAULT 0;   -- 0 = no cap
ALTER TABLE clients ADD COLUMN max_running INTEGER NOT NULL DEFAULT 0;  -- 0 = no cap
DROP INDEX jobs_claim;
CREATE INDEX jobs_claim ON jobs (model, priority DESC, fair_round, seq, client_id) WHERE status = 'pending';
CREATE INDEX jobs_live ON jobs (client_id, status, model, priority, fair_round)
  WHERE status IN ('pending', 'processing', 'in_progress');
)sql",
    // Version 11: deadlines (docs/api.md, "Deadlines"). cancel_after_ms and
    // execution_timeout_ms are what the job asked for (0 = none); start_deadline is
    // when a pending job expires, run_deadline when the running attempt times out
    // (set at each claim; the lease never outlives it, so the lease index finds it).
    R"sql(
ALTER TABLE jobs ADD COLUMN cancel_after_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN start_deadline INTEGER;
ALTER TABLE jobs ADD COLUMN execution_timeout_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN run_deadline INTEGER;
CREATE INDEX jobs_start_deadline ON jobs (start_deadline) WHERE status = 'pending' AND start_deadline IS NOT NULL;
-- Claims leave out jobs past their start_deadline still reading no row.
DROP INDEX jobs_claim;
CREATE INDEX jobs_claim ON jobs (model, priority DESC, fair_round, seq, client_id, start_deadline)
  WHERE status = 'pending';
)sql",
    // Version 12: a job's own webhook event filter (docs/webhooks.md, "Event filters");
    // '' = the default.
    R"sql(
ALTER TABLE jobs ADD COLUMN webhook_events TEXT NOT NULL DEFAULT '';
)sql",
    // Version 13: facts about the database itself, such as which secrets key sealed its
    // webhook secrets (sealed_secrets.hpp).
    R"sql(
CREATE TABLE store_settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql",
    // Version 14: the account webhook's health (docs/webhooks.md, "Endpoint health").
    R"sql(
ALTER TABLE clients ADD COLUMN webhook_failing_since INTEGER;
ALTER TABLE clients ADD COLUMN webhook_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN webhook_disabled_at INTEGER;
ALTER TABLE clients ADD COLUMN webhook_disabled_reason TEXT NOT NULL DEFAULT '';
)sql",
    // Version 15: a failed attempt's detail for operators (core/job.hpp, failure_detail).
    R"sql(
ALTER TABLE jobs ADD COLUMN failure_detail TEXT NOT NULL DEFAULT '';
)sql",
};

Result<int> read_user_version(Connection& connection) {
  Result<Statement> statement = connection.prepare("PRAGMA user_version");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  Result<bool> row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  return *row ? static_cast<int>(statement->column_int64(0)) : 0;
}

// Runs migration number `from` (to version from + 1) unless another process did it
// first. Requires: an open write transaction.
Status apply(Connection& connection, int from) {
  Result<int> version = read_user_version(connection);
  if (!version) {
    return fail(std::move(version.error()));
  }
  if (*version > from) {
    return {};  // someone else migrated while we waited for the write lock
  }
  if (Status ran = connection.exec(kMigrations[static_cast<std::size_t>(from)]); !ran) {
    return ran;
  }
  // PRAGMA takes no bound parameters; the number is ours, not input.
  return connection.exec("PRAGMA user_version = " + std::to_string(from + 1));
}

}  // namespace

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

Status migrate(Connection& connection) {
  while (true) {
    Result<int> version = read_user_version(connection);
    if (!version) {
      return fail(std::move(version.error()));
    }
    if (*version == latest_schema_version()) {
      return {};
    }
    if (*version > latest_schema_version() || *version < 0) {
      return fail(Error::invalid("database schema version " + std::to_string(*version) +
                                 " is newer than this genq supports (" +
                                 std::to_string(latest_schema_version()) + ")"));
    }
    if (Status begun = connection.exec("BEGIN IMMEDIATE"); !begun) {
      return begun;
    }
    Status applied = apply(connection, *version);
    if (!applied) {
      (void)connection.exec("ROLLBACK");  // the migration error is what we report
      return applied;
    }
    if (Status committed = connection.exec("COMMIT"); !committed) {
      (void)connection.exec("ROLLBACK");
      return committed;
    }
  }
}

}  // namespace genq::sqlite
