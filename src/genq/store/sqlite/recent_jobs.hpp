#pragma once
// The jobs this process wrote last, kept in memory so status polls, the hottest read
// of the API, skip SQLite. Write-through only: entries come from committed mutations,
// never from reads, so the cache cannot hold a state older than the file's.
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "genq/core/clock.hpp"
#include "genq/core/job.hpp"

namespace genq::sqlite {

// Updated by the group-commit leader right after each batch commits, in commit order
// (GroupCommitWriter's after-commit hooks), so a later state is never overwritten by
// an earlier one; a write forgets its jobs before its batch commits, so between the
// commit and the update readers go to the file instead of seeing the old state (the
// webhook sender, woken by the commit, renders callbacks from it). Sound only while
// every job write goes through this process's store, which is the embedded SQLite
// deployment (one server per file).
//
// Bounded by bytes (previews and text results make jobs uneven); the oldest write is
// evicted first. Thread-safe.
class RecentJobs {
 public:
  explicit RecentJobs(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  std::optional<Job> find(const std::string& job_id) const;

  // The job as a committed write left it.
  void put(const Job& job);
  // Called inside a write, before its batch commits: from the commit until the
  // after-commit put, a reader must find the job in the file, not its old state here.
  void forget(const std::string& job_id);
  // A heartbeat moved only the lease's expiry.
  void extend_lease(const std::string& job_id, TimePoint expires);
  // Forgets everything (a sweep changed jobs it does not list).
  void clear();

  std::size_t size() const;
  std::size_t bytes() const;

 private:
  struct Entry {
    Job job;
    std::size_t bytes = 0;
    std::list<const std::string*>::iterator age;  // position in oldest_first_
  };

  static std::size_t bytes_of(const Job& job);
  void evict_while_over_budget();  // requires mutex_

  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  // Ids by time of their last write: the keys of entries_ themselves (a node's key
  // keeps its address for the node's life), so a write copies no id.
  std::list<const std::string*> oldest_first_;
  std::size_t bytes_ = 0;
};

}  // namespace genq::sqlite
