// The webhook outbox: a transition's delivery row, in the transition's transaction.
#include "genq/crypto/crypto.hpp"
#include "genq/store/delivery_store.hpp"
#include "genq/store/postgres/job_ops.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::postgres {

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
    Result<Rows> account =
        connection.query("SELECT webhook_url, webhook_events FROM clients WHERE id = $1 AND webhook_url <> ''",
                         Params().text(job.client_id));
    if (!account) {
      return fail(std::move(account.error()));
    }
    if (account->empty() ||
        (job.webhook_events.empty() && !store_rules::accepts_event(account->text(0, 1), event))) {
      return {};
    }
    url = account->text(0, 0);
  }
  Result<Rows> inserted = connection.query(
      "INSERT INTO webhook_deliveries (id, job_id, client_id, event, status, previous_status, error_code, url,"
      "                                host, next_attempt_at, created_at)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
      Params()
          .text(crypto::uuid_v4())
          .text(job.id)
          .text(job.client_id)
          .text(event)
          .text(to_string(job.status))
          .text(to_string(previous))
          .text(job.status == JobStatus::Error ? error_code : std::string_view())
          .text(url)
          .text(store_rules::host_key(url))
          .time(now));
  if (!inserted) {
    return fail(std::move(inserted.error()));
  }
  connection.count_outbox_row();
  return {};
}

}  // namespace genq::postgres
