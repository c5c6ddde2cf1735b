#pragma once
// A clock that agrees with the PostgreSQL server's: this machine's clock plus the
// offset to the database's now(), measured at start and again every minute. Nodes
// stamping leases with it judge each other's expiries by one time, however far
// their own clocks drift (docs/scale-out.md, "Time").
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"

namespace genq::postgres {

class Connection;

// Thread-safe. Owns one connection and a thread that re-measures the offset.
class DatabaseClock final : public Clock {
 public:
  // Connects to `dsn` and measures the offset; Unavailable if the server cannot be
  // reached.
  static Result<std::unique_ptr<DatabaseClock>> open(const std::string& dsn,
                                                     Millis refresh_every = std::chrono::minutes(1));
  ~DatabaseClock() override;
  DatabaseClock(const DatabaseClock&) = delete;
  DatabaseClock& operator=(const DatabaseClock&) = delete;

  TimePoint now() const override;
  // The database's clock minus this machine's, as last measured.
  Millis offset() const { return Millis(offset_ms_.load()); }

 private:
  DatabaseClock(std::unique_ptr<Connection> connection, Millis refresh_every);
  // One measurement: the server's time against the midpoint of the round trip.
  Status measure();
  void refresh_loop();

  std::unique_ptr<Connection> connection_;  // used by measure() only
  const Millis refresh_every_;
  std::atomic<std::int64_t> offset_ms_{0};
  std::mutex mutex_;
  std::condition_variable stop_;
  bool stopping_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace genq::postgres
