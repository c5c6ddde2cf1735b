#include "genq/store/postgres/database_clock.hpp"

#include "genq/store/postgres/pg_connection.hpp"

namespace genq::postgres {
namespace {

TimePoint system_now() { return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now()); }

}  // namespace

Result<std::unique_ptr<DatabaseClock>> DatabaseClock::open(const std::string& dsn, Millis refresh_every) {
  Result<std::unique_ptr<Connection>> connection = Connection::open(dsn);
  if (!connection) {
    return fail(std::move(connection.error()));
  }
  auto clock = std::unique_ptr<DatabaseClock>(new DatabaseClock(std::move(*connection), refresh_every));
  if (Status measured = clock->measure(); !measured) {
    return fail(std::move(measured.error()));
  }
  clock->thread_ = std::thread([raw = clock.get()] { raw->refresh_loop(); });
  return clock;
}

DatabaseClock::DatabaseClock(std::unique_ptr<Connection> connection, Millis refresh_every)
    : connection_(std::move(connection)), refresh_every_(refresh_every) {}

DatabaseClock::~DatabaseClock() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  }
}

TimePoint DatabaseClock::now() const { return system_now() + Millis(offset_ms_.load()); }

Status DatabaseClock::measure() {
  if (Status open = connection_->ensure_open(); !open) {
    return open;
  }
  const TimePoint sent = system_now();
  Result<Rows> rows = connection_->query("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint");
  const TimePoint received = system_now();
  if (!rows) {
    return fail(std::move(rows.error()));
  }
  const TimePoint midpoint = sent + (received - sent) / 2;
  offset_ms_.store((rows->time(0, 0) - midpoint).count());
  return {};
}

void DatabaseClock::refresh_loop() {
  std::unique_lock lock(mutex_);
  while (!stop_.wait_for(lock, refresh_every_, [&] { return stopping_; })) {
    lock.unlock();
    (void)measure();  // a failed measurement keeps the last offset
    lock.lock();
  }
}

}  // namespace genq::postgres
