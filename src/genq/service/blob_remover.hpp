#pragma once
// Deletes blobs off the caller's thread. A cancel learns which files its job holds in
// the store's answer, on the store's thread, which must not block; removing from S3 is
// a network round trip. One thread, a queue; the destructor finishes the queue first.
// Thread-safe.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "genq/blob/blob_store.hpp"

namespace genq {

class BlobRemover {
 public:
  explicit BlobRemover(BlobStore& blobs);
  ~BlobRemover();
  BlobRemover(const BlobRemover&) = delete;
  BlobRemover& operator=(const BlobRemover&) = delete;

  void remove(std::vector<std::string> keys);
  // Blocks until every key queued so far is removed (tests, shutdown).
  void flush();

 private:
  void run();

  BlobStore& blobs_;
  std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::deque<std::string> queue_;  // GUARDED_BY(mutex_)
  bool busy_ = false;              // GUARDED_BY(mutex_)
  bool stopping_ = false;          // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace genq
