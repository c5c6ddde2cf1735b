#include "genq/store/postgres/schema.hpp"

#include <array>
#include <string>

namespace genq::postgres {
namespace {

// The advisory lock key every genq node takes around migrations: an arbitrary
// constant ("genq" in ASCII), the same on every node.
constexpr const char* kMigrationLock = "SELECT pg_advisory_lock(1734701425)";
constexpr const char* kMigrationUnlock = "SELECT pg_advisory_unlock(1734701425)";

// Each entry moves the schema from version (index) to (index + 1). Never edit a
// shipped entry: databases in the field already ran it. Append a new one instead.
// Times are unix milliseconds (bigint) from the store's Clock, as in the SQLite store.
constexpr std::array<const char*, 11> kMigrations = {
    // Version 1: what the SQLite store reached in its four versions, plus the job's
    // version (bumped by every published change).
    R"sql(
CREATE TABLE jobs (
  seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- submit order: FIFO claims
  id               text    NOT NULL UNIQUE,
  client_id        text    NOT NULL,
  task             text    NOT NULL,
  model            text    NOT NULL,
  params_json      text    NOT NULL,
  inputs_json      text    NOT NULL DEFAULT '{}',
  dialect          text    NOT NULL,                -- 'client' | 'task'
  status           text    NOT NULL,                -- to_string(JobStatus)
  progress         double precision,
  preview_jpeg     bytea   NOT NULL DEFAULT '\x',
  result_blob      text    NOT NULL DEFAULT '',
  result_mime      text    NOT NULL DEFAULT '',
  result_text      text,
  error            text    NOT NULL DEFAULT '',
  attempts         integer NOT NULL DEFAULT 0,
  max_attempts     integer NOT NULL,
  worker_id        text    NOT NULL DEFAULT '',
  lease_id         text    NOT NULL DEFAULT '',
  lease_expires_at bigint,
  webhook_url      text    NOT NULL DEFAULT '',
  webhook_secret   text    NOT NULL DEFAULT '',
  created_at       bigint  NOT NULL,
  started_at       bigint,
  finished_at      bigint,
  price_nanos      bigint,                          -- NULL = not billed
  version          bigint  NOT NULL DEFAULT 1       -- 1 at submit, +1 per published change
) WITH (fillfactor = 80);  -- room for HOT updates: a job row changes 3-10 times
-- claim and queue positions: pending jobs of a model in submit order. Partial, so it
-- holds only the queue, not the history.
CREATE INDEX jobs_claim ON jobs (model, seq) WHERE status = 'pending';
-- requeue_expired: leased jobs in expiry order.
CREATE INDEX jobs_lease ON jobs (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
-- expire_results: finished jobs that still hold blobs.
CREATE INDEX jobs_blob_expiry ON jobs (finished_at)
  WHERE finished_at IS NOT NULL AND (result_blob <> '' OR inputs_json <> '{}');

CREATE TABLE idempotency_keys (
  client_id    text   NOT NULL,
  key          text   NOT NULL,
  request_hash text   NOT NULL,
  job_id       text   NOT NULL,
  created_at   bigint NOT NULL,
  PRIMARY KEY (client_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE clients (
  id                            text    PRIMARY KEY,
  name                          text    NOT NULL,
  webhook_secret                text    NOT NULL DEFAULT '',
  webhook_url                   text    NOT NULL DEFAULT '',
  webhook_events                text    NOT NULL DEFAULT '[]',  -- JSON array of event names
  disabled                      boolean NOT NULL DEFAULT false,
  created_at                    bigint  NOT NULL,
  webhook_secret_previous       text    NOT NULL DEFAULT '',
  webhook_secret_previous_until bigint,
  balance_nanos                 bigint  NOT NULL DEFAULT 0,
  unlimited                     boolean NOT NULL DEFAULT false
);

CREATE TABLE api_keys (
  hash       text   PRIMARY KEY,                   -- SHA-256 hex of the key
  client_id  text   NOT NULL REFERENCES clients (id),
  created_at bigint NOT NULL
);
CREATE INDEX api_keys_client ON api_keys (client_id);

CREATE TABLE worker_tokens (
  hash       text    PRIMARY KEY,                  -- SHA-256 hex of the token
  id         text    NOT NULL UNIQUE,
  name       text    NOT NULL,
  models     text    NOT NULL DEFAULT '[]',        -- JSON array; empty = every model
  disabled   boolean NOT NULL DEFAULT false,
  created_at bigint  NOT NULL
);

-- The webhook outbox: one row per reported job transition, inserted in the
-- transition's own transaction.
CREATE TABLE webhook_deliveries (
  seq             bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id              text    NOT NULL UNIQUE,         -- webhook-id, stable across attempts
  job_id          text    NOT NULL,
  client_id       text    NOT NULL,
  event           text    NOT NULL,
  status          text    NOT NULL,
  previous_status text    NOT NULL,
  error_code      text    NOT NULL DEFAULT '',
  url             text    NOT NULL,
  host            text    NOT NULL,                -- host:port, the per-receiver cap's unit
  state           text    NOT NULL DEFAULT 'pending',
  version         bigint  NOT NULL DEFAULT 0,      -- bumped by redeliver
  attempts        integer NOT NULL DEFAULT 0,
  series_attempts integer NOT NULL DEFAULT 0,
  next_attempt_at bigint,                          -- NULL once final
  created_at      bigint  NOT NULL,
  finished_at     bigint
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_host ON webhook_deliveries (host, next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_job ON webhook_deliveries (job_id);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE webhook_attempts (
  delivery_seq  bigint  NOT NULL REFERENCES webhook_deliveries (seq) ON DELETE CASCADE,
  number        integer NOT NULL,                  -- 1 = first attempt
  started_at    bigint  NOT NULL,
  latency_ms    bigint  NOT NULL,
  http_status   integer,                           -- NULL when no response arrived
  error         text    NOT NULL DEFAULT '',
  next_retry_at bigint,
  PRIMARY KEY (delivery_seq, number)
);

-- Balances' history (docs/api.md, "Balance and usage"), integer nano-units.
CREATE TABLE ledger (
  seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  client_id     text   NOT NULL,
  kind          text   NOT NULL,                   -- charge | top_up
  amount_nanos  bigint NOT NULL,
  price_nanos   bigint NOT NULL DEFAULT 0,
  balance_nanos bigint NOT NULL,
  job_id        text,
  task          text   NOT NULL DEFAULT '',
  model         text   NOT NULL DEFAULT '',
  note          text   NOT NULL DEFAULT '',
  created_at    bigint NOT NULL
);
CREATE UNIQUE INDEX ledger_job ON ledger (job_id) WHERE job_id IS NOT NULL;  -- charged at most once
CREATE INDEX ledger_client ON ledger (client_id, seq);
)sql",
    // Version 2: the file a worker uploaded is recorded with its job (core/job.hpp), not
    // in one node's memory: any node completes, cancels and expires it. A job that ends
    // without completing still holds its upload, so retention's index covers it.
    R"sql(
ALTER TABLE jobs ADD COLUMN upload_blob text NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN upload_mime text NOT NULL DEFAULT '';
DROP INDEX jobs_blob_expiry;
CREATE INDEX jobs_blob_expiry ON jobs (finished_at)
  WHERE finished_at IS NOT NULL AND (result_blob <> '' OR inputs_json <> '{}' OR upload_blob <> '');
)sql",
    // Version 3: cluster state. Webhook deliveries are claimed by the node that sends
    // them (delivery_store.hpp; NULL: unclaimed), and the secrets every node must
    // share (admin token, URL-signing key, Pusher app) are created once, here.
    R"sql(
ALTER TABLE webhook_deliveries ADD COLUMN claimed_by text;
CREATE TABLE cluster_secrets (
  name       text   PRIMARY KEY,
  value      text   NOT NULL,
  created_at bigint NOT NULL
);
)sql",
    // Version 4: job lists (GET /api/v1/client/jobs, /api/v1/admin/jobs), newest first,
    // worker presence (docs/operations.md, "Worker presence") and retention. Two list
    // indexes, each ending in seq so a page is read in order: a client's jobs (its
    // status and task filters read within them), and jobs by status (the admin's
    // failures; also the live queue's processing counts). An index per filter cost
    // durable submits 15%: every one is written at each status change.
    R"sql(
CREATE INDEX jobs_client ON jobs (client_id, seq);
CREATE INDEX jobs_status ON jobs (status, seq);
-- Retention deletes finished jobs past --job-retention-s, oldest first.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

-- The last call of each worker id seen in the last 24 hours, from any node.
CREATE TABLE workers (
  worker_id    text   PRIMARY KEY,
  token_id     text   NOT NULL,
  token_name   text   NOT NULL,
  models       text   NOT NULL DEFAULT '[]',  -- JSON array: what it last asked to claim
  last_seen_at bigint NOT NULL
);
)sql",
    // Version 5: the submit's X-Request-Id (core/job.hpp), for webhook attempts and
    // worker calls to carry. '' for jobs submitted before.
    R"sql(
ALTER TABLE jobs ADD COLUMN submit_request_id text NOT NULL DEFAULT '';
)sql",
    // Version 6: priorities and fair share (docs/api.md, "Priorities and fair share").
    // A job's fair_round is its place among its client's queued jobs of the same model
    // and priority, counted from the lowest round still queued, so claims in (priority,
    // fair_round, seq) order alternate between clients. jobs_live counts a client's
    // queued and running jobs for its caps, within its live jobs only.
    R"sql(
ALTER TABLE jobs ADD COLUMN priority smallint NOT NULL DEFAULT 1;   -- 0 low, 1 normal, 2 high
ALTER TABLE jobs ADD COLUMN fair_round bigint NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN max_priority smallint NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN max_queued bigint NOT NULL DEFAULT 0;   -- 0 = no cap
ALTER TABLE clients ADD COLUMN max_running bigint NOT NULL DEFAULT 0;  -- 0 = no cap
DROP INDEX jobs_claim;
CREATE INDEX jobs_claim ON jobs (model, priority DESC, fair_round, seq) WHERE status = 'pending';
CREATE INDEX jobs_live ON jobs (client_id, status, model, priority, fair_round)
  WHERE status IN ('pending', 'processing', 'in_progress');
)sql",
    // Version 7: deadlines (docs/api.md, "Deadlines"). cancel_after_ms and
    // execution_timeout_ms are what the job asked for (0 = none); start_deadline is
    // when a pending job expires, run_deadline when the running attempt times out
    // (set at each claim; the lease never outlives it, so the lease index finds it).
    R"sql(
ALTER TABLE jobs ADD COLUMN cancel_after_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN start_deadline bigint;
ALTER TABLE jobs ADD COLUMN execution_timeout_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN run_deadline bigint;
CREATE INDEX jobs_start_deadline ON jobs (start_deadline) WHERE status = 'pending' AND start_deadline IS NOT NULL;
)sql",
    // Version 8: a job's own webhook event filter (docs/webhooks.md, "Event filters");
    // '' = the default.
    R"sql(
ALTER TABLE jobs ADD COLUMN webhook_events text NOT NULL DEFAULT '';
)sql",
    // Version 9: facts about the database itself, such as which secrets key sealed its
    // webhook secrets (sealed_secrets.hpp).
    R"sql(
CREATE TABLE store_settings (
  name  text PRIMARY KEY,
  value text NOT NULL
);
)sql",
    // Version 10: the account webhook's health (docs/webhooks.md, "Endpoint health").
    R"sql(
ALTER TABLE clients ADD COLUMN webhook_failing_since bigint;
ALTER TABLE clients ADD COLUMN webhook_failures bigint NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN webhook_disabled_at bigint;
ALTER TABLE clients ADD COLUMN webhook_disabled_reason text NOT NULL DEFAULT '';
)sql",
    // Version 11: a failed attempt's detail for operators (core/job.hpp, failure_detail).
    R"sql(
ALTER TABLE jobs ADD COLUMN failure_detail text NOT NULL DEFAULT '';
)sql",
};

Result<int> read_version(Connection& connection) {
  Result<Rows> rows = connection.query("SELECT version FROM genq_schema_version");
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  return rows->empty() ? 0 : static_cast<int>(rows->int64(0, 0));
}

// Runs migration number `from` (to version from + 1) in one transaction with its
// version number: a crash half-way leaves the previous version, never a mix.
Status apply(Connection& connection, int from) {
  Result<bool> applied = in_transaction<bool>(connection, [&](Connection& c) -> Result<bool> {
    if (Status ran = c.exec(kMigrations[static_cast<std::size_t>(from)]); !ran) {
      return fail(std::move(ran.error()));
    }
    Result<Rows> updated = c.query("UPDATE genq_schema_version SET version = $1", Params().int64(from + 1));
    if (!updated) {
      return fail(std::move(updated.error()));
    }
    return true;
  });
  if (!applied) {
    return fail(std::move(applied.error()));
  }
  return {};
}

Status migrate_locked(Connection& connection) {
  if (Status created = connection.exec("CREATE TABLE IF NOT EXISTS genq_schema_version (version integer NOT NULL);"
                                       "INSERT INTO genq_schema_version (version)"
                                       " SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM genq_schema_version)");
      !created) {
    return created;
  }
  while (true) {
    Result<int> version = read_version(connection);
    if (!version) {
      return fail(std::move(version.error()));
    }
    if (*version == latest_schema_version()) {
      return {};
    }
    if (*version > latest_schema_version() || *version < 0) {
      return fail(Error::invalid("database schema version " + std::to_string(*version) +
                                 " is newer than this genq supports (" + std::to_string(latest_schema_version()) +
                                 ")"));
    }
    if (Status applied = apply(connection, *version); !applied) {
      return applied;
    }
  }
}

}  // namespace

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

Status migrate(Connection& connection) {
  // A session lock, not a transaction one: it spans the per-version transactions.
  if (Status locked = connection.exec(kMigrationLock); !locked) {
    return locked;
  }
  Status migrated = migrate_locked(connection);
  Status unlocked = connection.exec(kMigrationUnlock);
  if (!migrated) {
    return migrated;
  }
  return unlocked;
}

}  // namespace genq::postgres
