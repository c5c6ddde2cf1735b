#include "genq/store/sqlite/sqlite_statement.hpp"

#include <utility>

namespace genq::sqlite {

Error to_error(sqlite3* db, int rc, std::string_view context) {
  std::string message(context);
  message += ": ";
  // sqlite3_errmsg describes the connection's latest error, which is `rc` as long as
  // nothing ran on the connection in between; fall back to the generic text otherwise.
  const char* detail = db != nullptr && sqlite3_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  message += detail;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
      return Error::conflict(std::move(message));
    default:
      return Error::internal(std::move(message));
  }
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_rc_(other.bind_rc_),
      bind_index_(other.bind_index_) {}

Statement::~Statement() {
  if (stmt_ != nullptr) {
    // reset() repeats the last step's error code; that error was already reported.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Statement::note_bind(int rc, int index) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) {
    bind_rc_ = rc;
    bind_index_ = index;
  }
}

Statement& Statement::bind_text(int index, std::string_view value) {
  note_bind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
            index);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view value) {
  // A zero-length blob with a null pointer would bind NULL; "" keeps it an empty blob.
  const char* data = value.empty() ? "" : value.data();
  note_bind(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT), index);
  return *this;
}

Statement& Statement::bind_int64(int index, std::int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::bind_double(int index, double value) {
  note_bind(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

Statement& Statement::bind_null(int index) {
  note_bind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

Statement& Statement::bind_optional_int64(int index, std::optional<std::int64_t> value) {
  return value ? bind_int64(index, *value) : bind_null(index);
}

Statement& Statement::bind_optional_text(int index, const std::optional<std::string>& value) {
  return value ? bind_text(index, *value) : bind_null(index);
}

Statement& Statement::bind_optional_double(int index, std::optional<double> value) {
  return value ? bind_double(index, *value) : bind_null(index);
}

Result<bool> Statement::step() {
  if (bind_rc_ != SQLITE_OK) {
    return fail(to_error(db_, bind_rc_, "bind parameter " + std::to_string(bind_index_)));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return fail(to_error(db_, rc, sqlite3_sql(stmt_)));
}

Status Statement::run() {
  while (true) {
    Result<bool> row = step();
    if (!row) {
      return fail(std::move(row.error()));
    }
    if (!*row) {
      return {};
    }
  }
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::column_double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::column_text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::string Statement::column_blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) {
    return {};
  }
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::optional<std::int64_t> Statement::column_optional_int64(int column) const {
  if (is_null(column)) {
    return std::nullopt;
  }
  return column_int64(column);
}

std::optional<double> Statement::column_optional_double(int column) const {
  if (is_null(column)) {
    return std::nullopt;
  }
  return column_double(column);
}

std::optional<std::string> Statement::column_optional_text(int column) const {
  if (is_null(column)) {
    return std::nullopt;
  }
  return column_text(column);
}

std::optional<TimePoint> Statement::column_optional_time(int column) const {
  if (is_null(column)) {
    return std::nullopt;
  }
  return from_unix_ms(column_int64(column));
}

}  // namespace genq::sqlite
