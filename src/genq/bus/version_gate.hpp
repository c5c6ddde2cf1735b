#pragma once
// Remembers, per job, the newest change delivered, so that an older one arriving
// later is dropped: changes race between threads (the store's and the sweeps') and
// between nodes, and a client must never see `in_progress` after `done`.
// Rules: nothing after a final change (done and error are terminal); otherwise a
// change is newer when its version is greater, and version 0 (unknown) is never
// ordered. Bounded: the least recently changed jobs are forgotten beyond `capacity`,
// which only loses the check for a job idle that long.
// Thread-safe (one short lock per call).
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace genq {

class VersionGate {
 public:
  explicit VersionGate(std::size_t capacity = 32768) : capacity_(capacity) {}

  // True, and remembered, when this change of the job is newer than every one
  // admitted before; false when it is stale.
  bool admit(std::string_view job_id, std::int64_t version, bool final);
  // Whether admit() would accept the change now; remembers nothing.
  bool would_admit(std::string_view job_id, std::int64_t version) const;
  // Whether a change newer than `version` was admitted (an equal one is not newer).
  bool admitted_newer(std::string_view job_id, std::int64_t version) const;
  std::size_t size() const;

 private:
  struct Last {
    std::int64_t version = 0;
    bool final = false;
    std::list<std::string>::iterator recency;  // into recency_
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static bool newer(const Last& last, std::int64_t version);

  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<std::string> recency_;                                        // GUARDED_BY(mutex_); least recent first
  std::unordered_map<std::string, Last, Hash, std::equal_to<>> last_;  // GUARDED_BY(mutex_)
};

}  // namespace genq
