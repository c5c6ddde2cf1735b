#include "genq/store/sqlite/outbox.hpp"

#include "genq/crypto/crypto.hpp"
#include "genq/store/delivery_store.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::sqlite {
namespace {

struct AccountTarget {
  std::string url;
  std::string events_json;  // JSON array; empty array = every event
};

Result<std::optional<AccountTarget>> account_target(Connection& connection, const std::string& client_id) {
  Result<Statement> statement =
      connection.prepare("SELECT webhook_url, webhook_events FROM clients WHERE id = ?1 AND webhook_url <> ''");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, client_id);
  Result<bool> row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return std::optional<AccountTarget>();
  }
  return std::optional<AccountTarget>(AccountTarget{statement->column_text(0), statement->column_text(1)});
}

}  // namespace

Status record_job_event(Connection& connection, const Job& job, JobStatus previous, std::string_view error_code,
                        TimePoint now) {
  const std::string_view event = store_rules::event_for(job.status);
  if (event.empty()) {
    return {};
  }
  if (!store_rules::job_reports_event(job, event)) {
    return {};
  }
  std::string url = job.webhook_url;
  if (url.empty()) {
    Result<std::optional<AccountTarget>> account = account_target(connection, job.client_id);
    if (!account) {
      return fail(std::move(account.error()));
    }
    if (!*account || (job.webhook_events.empty() && !store_rules::accepts_event((*account)->events_json, event))) {
      return {};
    }
    url = std::move((*account)->url);
  }
  Result<Statement> statement = connection.prepare(
      "INSERT INTO webhook_deliveries (id, job_id, client_id, event, status, previous_status, error_code, url,"
      "                                host, next_attempt_at, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, crypto::uuid_v4())
      .bind_text(2, job.id)
      .bind_text(3, job.client_id)
      .bind_text(4, event)
      .bind_text(5, to_string(job.status))
      .bind_text(6, to_string(previous))
      // A std::string, never an empty string_view: sqlite binds a null pointer as NULL.
      .bind_text(7, job.status == JobStatus::Error ? std::string(error_code) : std::string())
      .bind_text(8, url)
      .bind_text(9, store_rules::host_key(url))
      .bind_int64(10, to_unix_ms(now));
  Status inserted = statement->run();
  if (inserted) {
    connection.count_outbox_row();
  }
  return inserted;
}

Status record_job_events(Connection& connection, const std::vector<Job>& jobs,
                         const std::map<std::string, JobStatus>& previous, JobStatus fallback,
                         std::string_view error_code, TimePoint now) {
  for (const Job& job : jobs) {
    auto it = previous.find(job.id);
    const JobStatus before = it == previous.end() ? fallback : it->second;
    if (Status recorded = record_job_event(connection, job, before, error_code, now); !recorded) {
      return recorded;
    }
  }
  return {};
}

}  // namespace genq::sqlite
