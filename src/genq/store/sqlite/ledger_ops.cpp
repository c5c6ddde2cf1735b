#include "genq/store/sqlite/ledger_ops.hpp"

namespace genq::sqlite {
namespace {

std::string_view to_column(LedgerKind kind) { return kind == LedgerKind::TopUp ? "top_up" : "charge"; }

}  // namespace

Result<Balance> read_balance(Connection& connection, const std::string& client_id) {
  Result<Statement> statement = connection.prepare("SELECT balance_nanos, unlimited FROM clients WHERE id = ?1");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, client_id);
  Result<bool> row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return fail(Error::not_found("client not found"));
  }
  return Balance{statement->column_int64(0), statement->column_int64(1) != 0};
}

Result<Balance> add_top_up(Connection& connection, const std::string& client_id, std::int64_t amount_nanos,
                           const std::string& note, TimePoint now) {
  Result<Statement> update = connection.prepare(
      "UPDATE clients SET balance_nanos = balance_nanos + ?2 WHERE id = ?1 RETURNING balance_nanos, unlimited");
  if (!update) {
    return fail(std::move(update.error()));
  }
  update->bind_text(1, client_id).bind_int64(2, amount_nanos);
  Result<bool> row = update->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return fail(Error::not_found("client not found"));
  }
  const Balance balance{update->column_int64(0), update->column_int64(1) != 0};
  Result<Statement> insert = connection.prepare(
      "INSERT INTO ledger (client_id, kind, amount_nanos, balance_nanos, note, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert) {
    return fail(std::move(insert.error()));
  }
  insert->bind_text(1, client_id)
      .bind_text(2, to_column(LedgerKind::TopUp))
      .bind_int64(3, amount_nanos)
      .bind_int64(4, balance.nanos)
      .bind_text(5, note)
      .bind_int64(6, to_unix_ms(now));
  if (Status inserted = insert->run(); !inserted) {
    return fail(std::move(inserted.error()));
  }
  return balance;
}

Result<Balance> update_unlimited(Connection& connection, const std::string& client_id, bool unlimited) {
  Result<Statement> statement = connection.prepare(
      "UPDATE clients SET unlimited = ?2 WHERE id = ?1 RETURNING balance_nanos, unlimited");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, client_id).bind_int64(2, unlimited ? 1 : 0);
  Result<bool> row = statement->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row) {
    return fail(Error::not_found("client not found"));
  }
  return Balance{statement->column_int64(0), statement->column_int64(1) != 0};
}

Status charge_done_job(Connection& connection, const Job& job, TimePoint now) {
  // One statement writes the entry from the job's stored price and the client's
  // balance; the unique index on job_id makes a second charge of the job a no-op.
  Result<Statement> insert = connection.prepare(
      "INSERT OR IGNORE INTO ledger (client_id, kind, amount_nanos, price_nanos, balance_nanos, job_id, task,"
      "                             model, created_at)"
      " SELECT j.client_id, 'charge', CASE WHEN c.unlimited THEN 0 ELSE -j.price_nanos END, j.price_nanos,"
      "        CASE WHEN c.unlimited THEN c.balance_nanos ELSE c.balance_nanos - j.price_nanos END,"
      "        j.id, j.task, j.model, ?2"
      " FROM jobs j JOIN clients c ON c.id = j.client_id"
      " WHERE j.id = ?1 AND j.price_nanos IS NOT NULL"
      " RETURNING client_id, amount_nanos");
  if (!insert) {
    return fail(std::move(insert.error()));
  }
  insert->bind_text(1, job.id).bind_int64(2, to_unix_ms(now));
  Result<bool> row = insert->step();
  if (!row) {
    return fail(std::move(row.error()));
  }
  if (!*row || insert->column_int64(1) == 0) {
    return {};  // not billed, already charged, or nothing to debit
  }
  const std::string client_id = insert->column_text(0);
  const std::int64_t amount = insert->column_int64(1);
  if (Status done = insert->run(); !done) {  // finish the INSERT before the next statement
    return done;
  }
  Result<Statement> debit = connection.prepare("UPDATE clients SET balance_nanos = balance_nanos + ?2 WHERE id = ?1");
  if (!debit) {
    return fail(std::move(debit.error()));
  }
  debit->bind_text(1, client_id).bind_int64(2, amount);
  return debit->run();
}

Result<LedgerPage> read_ledger(Connection& connection, const std::string& client_id, std::int64_t offset,
                               std::int64_t limit) {
  LedgerPage page;
  Result<Statement> count = connection.prepare("SELECT COUNT(*) FROM ledger WHERE client_id = ?1");
  if (!count) {
    return fail(std::move(count.error()));
  }
  count->bind_text(1, client_id);
  Result<bool> counted = count->step();
  if (!counted) {
    return fail(std::move(counted.error()));
  }
  page.total = *counted ? count->column_int64(0) : 0;

  Result<Statement> statement = connection.prepare(
      "SELECT seq, kind, amount_nanos, price_nanos, balance_nanos, COALESCE(job_id, ''), task, model, note,"
      "       created_at"
      " FROM ledger WHERE client_id = ?1 ORDER BY seq DESC LIMIT ?2 OFFSET ?3");
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  statement->bind_text(1, client_id).bind_int64(2, limit).bind_int64(3, offset);
  while (true) {
    Result<bool> row = statement->step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return page;
    }
    LedgerEntry entry;
    entry.seq = statement->column_int64(0);
    entry.kind = statement->column_text(1) == "top_up" ? LedgerKind::TopUp : LedgerKind::Charge;
    entry.amount_nanos = statement->column_int64(2);
    entry.price_nanos = statement->column_int64(3);
    entry.balance_nanos = statement->column_int64(4);
    entry.job_id = statement->column_text(5);
    entry.task = statement->column_text(6);
    entry.model = statement->column_text(7);
    entry.note = statement->column_text(8);
    entry.created_at = from_unix_ms(statement->column_int64(9));
    page.entries.push_back(std::move(entry));
  }
}

}  // namespace genq::sqlite
