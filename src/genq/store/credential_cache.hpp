#pragma once
// Recently authenticated credentials: every API call authenticates, and without this
// each one costs a SQLite read (a fifth of a status poll's CPU).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "genq/core/error.hpp"

namespace genq {

// Keyed by the credential's digest; holds only successful lookups. The store clears
// it on every change to the accounts it serves, so a disabled client or a rotated
// secret takes effect at once in this process; the time limit bounds how long a
// change made by another process (an admin command on the same file, another node on the same
// PostgreSQL database) can go unseen.
// Thread-safe.
template <class Value>
class CredentialCache {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kTimeToLive = std::chrono::seconds(5);
  static constexpr std::size_t kMaxEntries = 4096;

  // The cached value for `digest`, else `read()` (a Result<Value> from the store),
  // remembered if it succeeded and no clear() came while it was being read.
  template <class Read>
  Result<Value> find_or_read(const std::string& digest, Read read) {
    if (std::optional<Value> cached = find(digest)) {
      return std::move(*cached);
    }
    const std::uint64_t generation = generation_now();
    Result<Value> value = read();
    if (value) {
      put(digest, *value, generation);
    }
    return value;
  }

  void clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
    ++generation_;
  }

 private:
  std::optional<Value> find(const std::string& digest) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(digest);
    if (it == entries_.end() || Clock::now() >= it->second.expires) {
      return std::nullopt;
    }
    return it->second.value;
  }

  // Taken before reading the store; put() ignores a value read before a clear().
  std::uint64_t generation_now() const {
    std::lock_guard lock(mutex_);
    return generation_;
  }

  void put(const std::string& digest, const Value& value, std::uint64_t read_at_generation) {
    std::lock_guard lock(mutex_);
    if (read_at_generation != generation_) {
      return;  // an account changed while this value was being read: it may be stale
    }
    if (entries_.size() >= kMaxEntries) {
      entries_.clear();  // rare (thousands of live keys); refilling is one read each
    }
    entries_.insert_or_assign(digest, Entry{value, Clock::now() + kTimeToLive});
  }

  struct Entry {
    Value value;
    Clock::time_point expires;
  };
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::uint64_t generation_ = 0;
};

}  // namespace genq
