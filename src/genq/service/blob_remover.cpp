#include "genq/service/blob_remover.hpp"

#include <spdlog/spdlog.h>

namespace genq {

BlobRemover::BlobRemover(BlobStore& blobs) : blobs_(blobs), thread_([this] { run(); }) {}

BlobRemover::~BlobRemover() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void BlobRemover::remove(std::vector<std::string> keys) {
  if (keys.empty()) return;
  {
    std::lock_guard lock(mutex_);
    for (auto& key : keys) queue_.push_back(std::move(key));
  }
  wake_.notify_one();
}

void BlobRemover::flush() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void BlobRemover::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to do
    std::string key = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    if (Status removed = blobs_.remove(key); !removed) {
      spdlog::warn("cannot remove blob {}: {}", key, removed.error().message);
    }
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

}  // namespace genq
