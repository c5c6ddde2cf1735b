// Balances and the usage ledger. The client row is locked (UPDATE or FOR UPDATE)
// before an entry's balance is computed, so charges and top-ups from several nodes
// at once each see the balance the one before them left.
#include "genq/store/postgres/account_ops.hpp"
#include "genq/store/postgres/job_ops.hpp"

namespace genq::postgres {
namespace {

Result<Balance> first_balance(Result<Rows> rows) {
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  if (rows->empty()) {
    return fail(Error::not_found("client not found"));
  }
  return Balance{rows->int64(0, 0), rows->boolean(0, 1)};
}

}  // namespace

Result<Balance> read_balance(Connection& connection, const std::string& client_id) {
  return first_balance(
      connection.query("SELECT balance_nanos, unlimited FROM clients WHERE id = $1", Params().text(client_id)));
}

Result<Balance> add_top_up(Connection& connection, const std::string& client_id, std::int64_t amount_nanos,
                           const std::string& note, TimePoint now) {
  Result<Balance> balance = first_balance(connection.query(
      "UPDATE clients SET balance_nanos = balance_nanos + $2 WHERE id = $1 RETURNING balance_nanos, unlimited",
      Params().text(client_id).int64(amount_nanos)));
  if (!balance) {
    return balance;
  }
  Result<Rows> inserted = connection.query(
      "INSERT INTO ledger (client_id, kind, amount_nanos, balance_nanos, note, created_at)"
      " VALUES ($1, 'top_up', $2, $3, $4, $5)",
      Params().text(client_id).int64(amount_nanos).int64(balance->nanos).text(note).time(now));
  if (!inserted) {
    return fail(std::move(inserted.error()));
  }
  return balance;
}

Result<Balance> update_unlimited(Connection& connection, const std::string& client_id, bool unlimited) {
  return first_balance(
      connection.query("UPDATE clients SET unlimited = $2 WHERE id = $1 RETURNING balance_nanos, unlimited",
                       Params().text(client_id).boolean(unlimited)));
}

Status charge_done_job(Connection& connection, const Job& job, TimePoint now) {
  // The price, and the client's row locked for the balance update below.
  Result<Rows> priced = connection.query(
      "SELECT j.price_nanos, c.balance_nanos, c.unlimited FROM jobs j JOIN clients c ON c.id = j.client_id"
      " WHERE j.id = $1 AND j.price_nanos IS NOT NULL FOR UPDATE OF c",
      Params().text(job.id));
  if (!priced) {
    return fail(std::move(priced.error()));
  }
  if (priced->empty()) {
    return {};  // not billed
  }
  const std::int64_t price = priced->int64(0, 0);
  const bool unlimited = priced->boolean(0, 2);
  const std::int64_t amount = unlimited ? 0 : -price;
  const std::int64_t balance_after = priced->int64(0, 1) + amount;
  // The unique index on job_id makes a second charge of the job a no-op.
  Result<Rows> entry = connection.query(
      "INSERT INTO ledger (client_id, kind, amount_nanos, price_nanos, balance_nanos, job_id, task, model,"
      "                    created_at)"
      " VALUES ($1, 'charge', $2, $3, $4, $5, $6, $7, $8)"
      " ON CONFLICT (job_id) WHERE job_id IS NOT NULL DO NOTHING",
      Params()
          .text(job.client_id)
          .int64(amount)
          .int64(price)
          .int64(balance_after)
          .text(job.id)
          .text(job.task)
          .text(job.model)
          .time(now));
  if (!entry) {
    return fail(std::move(entry.error()));
  }
  if (entry->affected() == 0 || amount == 0) {
    return {};  // already charged, or nothing to debit
  }
  Result<Rows> debited = connection.query("UPDATE clients SET balance_nanos = balance_nanos + $2 WHERE id = $1",
                                          Params().text(job.client_id).int64(amount));
  if (!debited) {
    return fail(std::move(debited.error()));
  }
  return {};
}

Result<LedgerPage> read_ledger(Connection& connection, const std::string& client_id, std::int64_t offset,
                               std::int64_t limit) {
  LedgerPage page;
  Result<Rows> count = connection.query("SELECT COUNT(*) FROM ledger WHERE client_id = $1", Params().text(client_id));
  if (!count) {
    return fail(std::move(count.error()));
  }
  page.total = count->empty() ? 0 : count->int64(0, 0);
  Result<Rows> rows = connection.query(
      "SELECT seq, kind, amount_nanos, price_nanos, balance_nanos, COALESCE(job_id, ''), task, model, note,"
      "       created_at"
      " FROM ledger WHERE client_id = $1 ORDER BY seq DESC LIMIT $2 OFFSET $3",
      Params().text(client_id).int64(limit).int64(offset));
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  for (int row = 0; row < rows->size(); ++row) {
    LedgerEntry entry;
    entry.seq = rows->int64(row, 0);
    entry.kind = rows->text(row, 1) == "top_up" ? LedgerKind::TopUp : LedgerKind::Charge;
    entry.amount_nanos = rows->int64(row, 2);
    entry.price_nanos = rows->int64(row, 3);
    entry.balance_nanos = rows->int64(row, 4);
    entry.job_id = rows->text(row, 5);
    entry.task = rows->text(row, 6);
    entry.model = rows->text(row, 7);
    entry.note = rows->text(row, 8);
    entry.created_at = rows->time(row, 9);
    page.entries.push_back(std::move(entry));
  }
  return page;
}

}  // namespace genq::postgres
