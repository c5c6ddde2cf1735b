#include "genq/store/sqlite/read_pool.hpp"

#include <algorithm>
#include <utility>

namespace genq::sqlite {

Result<std::unique_ptr<ReadPool>> ReadPool::open(const std::string& path, int count, Millis busy_timeout) {
  std::unique_ptr<ReadPool> pool(new ReadPool());
  const int size = std::max(count, 1);
  for (int i = 0; i < size; ++i) {
    Result<std::unique_ptr<Connection>> connection =
        Connection::open(path, Connection::Mode::ReadOnly, busy_timeout);
    if (!connection) {
      return fail(std::move(connection.error()));
    }
    pool->idle_.push_back(connection->get());
    pool->connections_.push_back(std::move(*connection));
  }
  return pool;
}

ReadPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::exchange(other.connection_, nullptr)) {}

ReadPool::Lease::~Lease() {
  if (connection_ != nullptr) {
    pool_->release(connection_);
  }
}

ReadPool::Lease ReadPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty(); });
  Connection* connection = idle_.back();
  idle_.pop_back();
  return Lease(*this, connection);
}

void ReadPool::release(Connection* connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(connection);
  }
  available_.notify_one();
}

}  // namespace genq::sqlite
