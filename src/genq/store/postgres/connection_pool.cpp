#include "genq/store/postgres/connection_pool.hpp"

#include <algorithm>

namespace genq::postgres {

Result<std::unique_ptr<ConnectionPool>> ConnectionPool::open(const std::string& dsn, int size) {
  auto pool = std::unique_ptr<ConnectionPool>(new ConnectionPool());
  for (int i = 0; i < std::max(1, size); ++i) {
    Result<std::unique_ptr<Connection>> connection = Connection::open(dsn);
    if (!connection) {
      return fail(std::move(connection.error()));
    }
    pool->idle_.push_back(std::move(*connection));
  }
  return pool;
}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::unique_ptr<Connection> connection;
  {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return !idle_.empty(); });
    connection = std::move(idle_.back());
    idle_.pop_back();
  }
  // A failure here shows again, with its message, at the caller's first statement.
  (void)connection->ensure_open();
  return Lease(*this, std::move(connection));
}

void ConnectionPool::give_back(std::unique_ptr<Connection> connection) {
  if (connection->in_transaction()) {
    (void)connection->exec("ROLLBACK");  // a caller that returned mid-transaction
  }
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  returned_.notify_one();
}

}  // namespace genq::postgres
