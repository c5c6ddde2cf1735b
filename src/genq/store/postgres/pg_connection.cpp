#include "genq/store/postgres/pg_connection.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace genq::postgres {
namespace {

// SQLSTATEs the store reacts to (PostgreSQL, Appendix A).
constexpr std::string_view kUniqueViolation = "23505";
constexpr std::string_view kSerializationFailure = "40001";
constexpr std::string_view kDeadlockDetected = "40P01";

std::int64_t parse_int64(const char* text, int length) {
  std::int64_t value = 0;
  std::from_chars(text, text + length, value);
  return value;
}

}  // namespace

Params& Params::text(std::string_view value) {
  values_.emplace_back(std::string(value));
  lengths_.push_back(static_cast<int>(value.size()));
  formats_.push_back(0);
  return *this;
}

Params& Params::int64(std::int64_t value) { return text(std::to_string(value)); }

Params& Params::real(double value) {
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return text(std::string_view(buffer, static_cast<std::size_t>(end - buffer)));
}

Params& Params::optional_text(const std::optional<std::string>& value) { return value ? text(*value) : null(); }

Params& Params::optional_int64(std::optional<std::int64_t> value) { return value ? int64(*value) : null(); }

Params& Params::optional_time(std::optional<TimePoint> value) { return value ? time(*value) : null(); }

Params& Params::bytes(std::string_view value) {
  values_.emplace_back(std::string(value));
  lengths_.push_back(static_cast<int>(value.size()));
  formats_.push_back(1);
  return *this;
}

Params& Params::null() {
  values_.emplace_back(std::nullopt);
  lengths_.push_back(0);
  formats_.push_back(0);
  return *this;
}

std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const std::optional<std::string>& value : values_) {
    out.push_back(value ? value->data() : nullptr);
  }
  return out;
}

std::int64_t Rows::affected() const {
  const char* text = PQcmdTuples(result_.get());
  return parse_int64(text, static_cast<int>(std::char_traits<char>::length(text)));
}

std::string Rows::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::int64_t Rows::int64(int row, int column) const {
  return parse_int64(PQgetvalue(result_.get(), row, column), PQgetlength(result_.get(), row, column));
}

std::optional<std::string> Rows::optional_text(int row, int column) const {
  if (is_null(row, column)) {
    return std::nullopt;
  }
  return text(row, column);
}

std::optional<std::int64_t> Rows::optional_int64(int row, int column) const {
  if (is_null(row, column)) {
    return std::nullopt;
  }
  return int64(row, column);
}

std::optional<double> Rows::optional_real(int row, int column) const {
  if (is_null(row, column)) {
    return std::nullopt;
  }
  // from_chars for double: the server prints shortest round-trip digits (extra_float_digits=1).
  double value = 0;
  const char* text = PQgetvalue(result_.get(), row, column);
  std::from_chars(text, text + PQgetlength(result_.get(), row, column), value);
  return value;
}

std::optional<TimePoint> Rows::optional_time(int row, int column) const {
  if (is_null(row, column)) {
    return std::nullopt;
  }
  return time(row, column);
}

std::string Rows::bytes(int row, int column) const {
  if (is_null(row, column)) {
    return {};
  }
  std::size_t length = 0;
  unsigned char* decoded =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column)), &length);
  if (decoded == nullptr) {
    return {};
  }
  std::string out(reinterpret_cast<const char*>(decoded), length);
  PQfreemem(decoded);
  return out;
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& dsn) {
  PGconn* connection = PQconnectdb(dsn.c_str());
  if (connection == nullptr) {
    return fail(Error::internal("libpq could not allocate a connection"));
  }
  if (PQstatus(connection) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection);
    PQfinish(connection);
    while (!message.empty() && message.back() == '\n') {
      message.pop_back();
    }
    return fail(Error::unavailable("cannot connect to PostgreSQL: " + message));
  }
  auto out = std::unique_ptr<Connection>(new Connection(connection, dsn));
  // Times are bigint milliseconds chosen by genq, so the session's time zone never
  // matters; notices (e.g. "relation already exists, skipping") are not errors.
  if (Status configured = out->exec("SET client_min_messages = warning"); !configured) {
    return fail(std::move(configured.error()));
  }
  return out;
}

Connection::~Connection() { PQfinish(connection_); }

Status Connection::ensure_open() {
  if (PQstatus(connection_) == CONNECTION_OK) {
    return {};
  }
  prepared_.clear();
  PQreset(connection_);
  if (PQstatus(connection_) != CONNECTION_OK) {
    return fail(Error::unavailable(std::string("PostgreSQL connection lost: ") + PQerrorMessage(connection_)));
  }
  return exec("SET client_min_messages = warning");
}

bool Connection::in_transaction() const {
  const PGTransactionStatusType status = PQtransactionStatus(connection_);
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

bool Connection::transaction_failed() const { return PQtransactionStatus(connection_) == PQTRANS_INERROR; }

Error Connection::error_from(const PGresult* result, std::string_view what) {
  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const std::string_view sqlstate = state == nullptr ? std::string_view() : std::string_view(state);
  std::string message = result == nullptr ? PQerrorMessage(connection_) : PQresultErrorMessage(result);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  last_error_retryable_ = sqlstate == kSerializationFailure || sqlstate == kDeadlockDetected;
  if (sqlstate == kUniqueViolation) {
    return Error::conflict(message);
  }
  if (last_error_retryable_ || PQstatus(connection_) != CONNECTION_OK) {
    return Error::unavailable(std::string(what) + ": " + message);
  }
  return Error::internal(std::string(what) + ": " + message);
}

Status Connection::exec(const std::string& sql) {
  PGresult* raw = PQexec(connection_, sql.c_str());
  Rows result(raw);
  const ExecStatusType status = PQresultStatus(raw);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return fail(error_from(raw, "postgres"));
  }
  return {};
}

Result<Rows> Connection::query(const std::string& sql, const Params& params) {
  auto found = prepared_.find(sql);
  if (found == prepared_.end()) {
    const std::string name = "genq_" + std::to_string(prepared_.size() + 1);
    PGresult* raw = PQprepare(connection_, name.c_str(), sql.c_str(), 0, nullptr);
    Rows prepared(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK) {
      return fail(error_from(raw, "postgres prepare"));
    }
    found = prepared_.emplace(sql, name).first;
  }
  const std::vector<const char*> values = params.pointers();
  PGresult* raw = PQexecPrepared(connection_, found->second.c_str(), params.size(), values.data(), params.lengths(),
                                 params.formats(), 0);
  Rows rows(raw);
  const ExecStatusType status = PQresultStatus(raw);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return fail(error_from(raw, "postgres"));
  }
  const std::string_view command = PQcmdStatus(raw);
  if (command.starts_with("INSERT") || command.starts_with("UPDATE") || command.starts_with("DELETE")) {
    changes_ += static_cast<std::uint64_t>(std::max<std::int64_t>(rows.affected(), 0));
  }
  return rows;
}

}  // namespace genq::postgres
