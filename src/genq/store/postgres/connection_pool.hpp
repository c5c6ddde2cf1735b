#pragma once
// A few connections for reads and blocking writes (sweeps, accounts, the delivery
// engine): a caller borrows one, uses it alone, and it goes back when the lease ends.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "genq/core/error.hpp"
#include "genq/store/postgres/pg_connection.hpp"

namespace genq::postgres {

// Thread-safe. acquire() waits while every connection is lent out.
class ConnectionPool {
 public:
  // Opens `size` (at least 1) connections to `dsn`.
  static Result<std::unique_ptr<ConnectionPool>> open(const std::string& dsn, int size);

  // A borrowed connection; given back on destruction. Move-only.
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (connection_) {
        pool_->give_back(std::move(connection_));
      }
    }
    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // Reconnects a connection that broke since its last use before handing it out.
  Lease acquire();

 private:
  ConnectionPool() = default;
  void give_back(std::unique_ptr<Connection> connection);

  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;  // GUARDED_BY(mutex_)
};

// Runs `fn(Connection&)` (returning Result<T>) in its own transaction on a borrowed
// connection, again when the server aborted it for a deadlock.
template <class T, class Fn>
Result<T> transact(ConnectionPool& pool, Fn&& fn) {
  ConnectionPool::Lease connection = pool.acquire();
  return in_transaction<T>(*connection, fn);
}

// Runs `fn(Connection&)` on a borrowed connection, outside any transaction.
template <class T, class Fn>
Result<T> read(ConnectionPool& pool, Fn&& fn) {
  ConnectionPool::Lease connection = pool.acquire();
  return fn(*connection);
}

}  // namespace genq::postgres
