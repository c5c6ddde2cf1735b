#pragma once
// One sqlite database handle with its cache of prepared statements.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <functional>
#include <unordered_map>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/store/sqlite/sqlite_statement.hpp"

namespace genq::sqlite {

// Owns a sqlite3* and the statements prepared on it (SQLITE_PREPARE_PERSISTENT, kept
// for the connection's lifetime). Not thread-safe: opened with SQLITE_OPEN_NOMUTEX,
// so exactly one thread may use it at a time; the writer and the read pool guarantee
// that. Statements handed out by prepare() must die before the connection.
class Connection {
 public:
  enum class Mode { ReadWrite, ReadOnly };

  // Opens (creating in ReadWrite mode) the database file and sets busy_timeout, the
  // time a statement waits for another connection's lock before SQLITE_BUSY.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, Mode mode, Millis busy_timeout);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements without results (pragmas, DDL, BEGIN/COMMIT).
  Status exec(const std::string& sql);

  // Returns the cached statement for this exact SQL text, preparing it on first use.
  // Requires: the same SQL is not in use by another live Statement of this connection.
  // Looked up without copying `sql`: most callers pass a literal, which would otherwise
  // become a heap-allocated std::string on every call.
  Result<Statement> prepare(std::string_view sql);

  // Rows changed by the latest INSERT/UPDATE/DELETE on this connection.
  std::int64_t changes() const { return sqlite3_changes64(db_); }
  // Rows changed by every completed INSERT/UPDATE/DELETE so far; a statement that
  // failed and was rolled back adds nothing. How the writer tells an operation that
  // failed cleanly from one that must be undone.
  std::int64_t total_changes() const { return sqlite3_total_changes64(db_); }
  // True when no transaction is open (sqlite rolled one back after a severe error).
  bool in_autocommit() const { return sqlite3_get_autocommit(db_) != 0; }
  // Webhook deliveries queued on this connection so far (outbox.hpp), rolled-back ones
  // included: the store wakes the webhook sender only after a batch that queued some.
  void count_outbox_row() { ++outbox_rows_; }
  std::uint64_t outbox_rows() const { return outbox_rows_; }
  sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::uint64_t outbox_rows_ = 0;
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> statements_;
};

}  // namespace genq::sqlite
