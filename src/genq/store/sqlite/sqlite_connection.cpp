#include "genq/store/sqlite/sqlite_connection.hpp"

namespace genq::sqlite {

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, Mode mode,
                                                     Millis busy_timeout) {
  // NOMUTEX: each connection is used by one thread at a time (see class comment), so
  // sqlite's per-connection mutex would only cost time.
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= mode == Mode::ReadWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = to_error(db, rc, "open " + path);
    sqlite3_close_v2(db);  // a handle is returned even on failure (null only on OOM)
    return fail(std::move(error));
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) {
    sqlite3_finalize(stmt);
  }
  sqlite3_close_v2(db_);
}

Status Connection::exec(const std::string& sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string context = sql;
    if (message != nullptr) {
      context += " (";
      context += message;
      context += ")";
    }
    sqlite3_free(message);
    return fail(to_error(db_, rc, context));
  }
  return {};
}

Result<Statement> Connection::prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &stmt, nullptr);
    if (rc != SQLITE_OK) {
      return fail(to_error(db_, rc, "prepare " + std::string(sql)));
    }
    it = statements_.emplace(std::string(sql), stmt).first;
  }
  return Statement(db_, it->second);
}

}  // namespace genq::sqlite
