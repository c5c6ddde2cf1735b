#pragma once
// One libpq connection with its prepared statements, the parameters we send and the
// rows we get back. Every statement of the PostgreSQL store goes through query():
// prepared on the connection at its first use and run by name afterwards.
//
// Not thread-safe: one thread uses a connection at a time (the write queue's thread,
// or whoever holds it from the pool).
#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"

namespace genq::postgres {

// Parameters of one statement, in order ($1, $2, ...). Sent as text, which the server
// converts to the type it inferred for each; bytea goes in binary.
class Params {
 public:
  Params& text(std::string_view value);
  Params& int64(std::int64_t value);
  Params& real(double value);
  Params& boolean(bool value) { return text(value ? "t" : "f"); }
  Params& time(TimePoint value) { return int64(to_unix_ms(value)); }
  Params& optional_text(const std::optional<std::string>& value);
  Params& optional_int64(std::optional<std::int64_t> value);
  Params& optional_time(std::optional<TimePoint> value);
  Params& bytes(std::string_view value);
  Params& null();

  int size() const { return static_cast<int>(values_.size()); }
  // Pointers into this object: valid until it is changed or destroyed.
  std::vector<const char*> pointers() const;
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::vector<std::optional<std::string>> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// The rows of one statement (text format). Owns its PGresult. Move-only.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}

  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected() const;

  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string text(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  bool boolean(int row, int column) const { return text(row, column) == "t"; }
  TimePoint time(int row, int column) const { return from_unix_ms(int64(row, column)); }
  std::optional<std::string> optional_text(int row, int column) const;
  std::optional<std::int64_t> optional_int64(int row, int column) const;
  std::optional<double> optional_real(int row, int column) const;
  std::optional<TimePoint> optional_time(int row, int column) const;
  // A bytea column, decoded.
  std::string bytes(int row, int column) const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

class Connection {
 public:
  // Connects to `dsn` (a postgres:// URL or key=value string). Unavailable when the
  // server cannot be reached.
  static Result<std::unique_ptr<Connection>> open(const std::string& dsn);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without parameters (transaction control, DDL).
  Status exec(const std::string& sql);
  // Runs one statement, prepared on this connection at its first use. Errors:
  // Conflict for unique violations, Unavailable for a lost connection or a
  // transaction the server aborted to break a deadlock (retrying helps), else Internal.
  Result<Rows> query(const std::string& sql, const Params& params = {});

  // Reconnects if the connection broke (a server restart, a network cut); the
  // prepared statements are forgotten then, and prepared again on use.
  Status ensure_open();
  bool in_transaction() const;
  // A statement failed in the open transaction: only ROLLBACK is accepted now.
  bool transaction_failed() const;
  // Rows inserted, updated or deleted through this connection so far (committed or
  // not): how the write queue tells an operation that failed after writing.
  std::uint64_t changes() const { return changes_; }
  // Whether the last failed statement was a deadlock or serialization failure: the
  // server aborted the transaction, which should be run again from its start.
  bool last_error_retryable() const { return last_error_retryable_; }

  // Webhook deliveries this connection inserted (how the store knows a batch queued some).
  std::uint64_t outbox_rows() const { return outbox_rows_; }
  void count_outbox_row() { ++outbox_rows_; }

 private:
  Connection(PGconn* connection, std::string dsn) : connection_(connection), dsn_(std::move(dsn)) {}
  Error error_from(const PGresult* result, std::string_view what);

  PGconn* connection_;
  std::string dsn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
  bool last_error_retryable_ = false;
  std::uint64_t changes_ = 0;
  std::uint64_t outbox_rows_ = 0;
};

// Runs `fn(connection)` in one transaction (BEGIN ... COMMIT, or ROLLBACK when it
// fails), again from the start when the server aborted it for a deadlock.
template <class T, class Fn>
Result<T> in_transaction(Connection& connection, Fn&& fn) {
  constexpr int kTries = 5;
  for (int attempt = 1;; ++attempt) {
    if (Status open = connection.ensure_open(); !open) {
      return fail(std::move(open.error()));
    }
    if (Status begun = connection.exec("BEGIN"); !begun) {
      return fail(std::move(begun.error()));
    }
    Result<T> result = fn(connection);
    if (result) {
      Status committed = connection.exec("COMMIT");
      if (committed) {
        return result;
      }
      result = fail(std::move(committed.error()));
    } else {
      (void)connection.exec("ROLLBACK");  // the operation's error is what we report
    }
    if (!connection.last_error_retryable() || attempt == kTries) {
      return result;
    }
  }
}

}  // namespace genq::postgres
