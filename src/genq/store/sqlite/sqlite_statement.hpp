#pragma once
// A borrowed, cached prepared statement and the mapping of sqlite result codes to
// genq errors.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"

namespace genq::sqlite {

// Maps a sqlite result code to an Error: BUSY/LOCKED -> Unavailable (another process
// holds the write lock past busy_timeout; retrying may help), CONSTRAINT -> Conflict,
// everything else -> Internal. The message carries `context` and sqlite's own text.
Error to_error(sqlite3* db, int rc, std::string_view context);

// One use of a prepared statement that its connection owns and caches. Binding, then
// step() or run(); the destructor resets the statement and clears its bindings so the
// connection's cache can hand it out again and, for readers, the implicit read
// transaction ends (a statement left un-reset would pin an old WAL snapshot).
//
// Move-only; not thread-safe (it belongs to the thread that holds its connection).
// Parameters are 1-based, columns 0-based, as in the sqlite API.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Text and blobs are copied (SQLITE_TRANSIENT), so arguments may die before step().
  // A failed bind is remembered and reported by the next step()/run().
  Statement& bind_text(int index, std::string_view value);
  Statement& bind_blob(int index, std::string_view value);
  Statement& bind_int64(int index, std::int64_t value);
  Statement& bind_double(int index, double value);
  Statement& bind_null(int index);
  Statement& bind_optional_int64(int index, std::optional<std::int64_t> value);
  Statement& bind_optional_text(int index, const std::optional<std::string>& value);
  Statement& bind_optional_double(int index, std::optional<double> value);

  // true when a row is ready, false when the statement is done.
  Result<bool> step();
  // Steps until done, ignoring rows.
  Status run();

  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::string column_blob(int column) const;
  std::optional<std::int64_t> column_optional_int64(int column) const;
  std::optional<double> column_optional_double(int column) const;
  std::optional<std::string> column_optional_text(int column) const;
  // A time column (unix milliseconds, as every time in the schema); nullopt for NULL.
  std::optional<TimePoint> column_optional_time(int column) const;

 private:
  void note_bind(int rc, int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_;  // owned by the connection's cache; null once moved from
  int bind_rc_ = SQLITE_OK;
  int bind_index_ = 0;
};

}  // namespace genq::sqlite
