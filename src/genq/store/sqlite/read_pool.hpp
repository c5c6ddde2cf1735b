#pragma once
// A small pool of read-only connections for the sqlite store.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"
#include "genq/store/sqlite/sqlite_connection.hpp"

namespace genq::sqlite {

// Owns `count` read-only connections to one database. In WAL mode a reader sees the
// latest committed state without waiting for the writer, so status polls and key
// lookups never queue behind a group commit. Thread-safe: acquire() blocks while every
// connection is lent out; a Lease gives its connection back when it dies.
class ReadPool {
 public:
  // Requires: the database exists and is in WAL mode (the writer opened it first).
  static Result<std::unique_ptr<ReadPool>> open(const std::string& path, int count, Millis busy_timeout);

  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  // Exclusive use of one connection until destroyed. Move-only; must not outlive the pool.
  class Lease {
   public:
    Lease(ReadPool& pool, Connection* connection) : pool_(&pool), connection_(connection) {}
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_; }

   private:
    ReadPool* pool_;
    Connection* connection_;  // null once moved from
  };

  Lease acquire();

 private:
  ReadPool() = default;
  void release(Connection* connection);

  std::vector<std::unique_ptr<Connection>> connections_;  // fixed after open()

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Connection*> idle_;  // guarded by mutex_
};

}  // namespace genq::sqlite
