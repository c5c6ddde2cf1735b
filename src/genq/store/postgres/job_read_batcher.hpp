#pragma once
// Job reads by id (status polls, above all) gathered into one statement: callers queue
// an id and a callback and never wait; a few threads each take everything queued when
// they come round and read it with one `SELECT … WHERE id = ANY($1)` on a pooled
// connection. At 64 polling connections one round trip then answers dozens of polls,
// where one read per poll kept an I/O thread waiting on PostgreSQL for each.
//
// Every answer still comes from the database, read after its request was queued: no
// node keeps a copy of jobs, so any node answers what any other has committed.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "genq/core/error.hpp"
#include "genq/core/job.hpp"
#include "genq/store/postgres/connection_pool.hpp"

namespace genq::postgres {

// Thread-safe. Callbacks run on a reader thread with no lock held: reply or post,
// never wait for another read.
class JobReadBatcher {
 public:
  using Done = std::function<void(Result<Job>)>;

  // Why 256: a batch of polls from thousands of connections still fits in one
  // statement of a few kilobytes, and its answer in well under a millisecond of work.
  static constexpr std::size_t kMaxBatch = 256;

  // Starts `threads` (at least 1) reader threads borrowing connections from `pool`,
  // which must outlive this object.
  JobReadBatcher(ConnectionPool& pool, int threads);
  JobReadBatcher(const JobReadBatcher&) = delete;
  JobReadBatcher& operator=(const JobReadBatcher&) = delete;
  // Answers what is still queued, then stops the threads.
  ~JobReadBatcher();

  // `done` gets the job, NotFound when there is none, or the database's error.
  void get(std::string job_id, Done done);

  // Waits until every read queued so far has been answered.
  void drain();

 private:
  struct Pending {
    std::string job_id;
    Done done;
  };

  void run();
  void read_batch(std::vector<Pending>& batch);

  ConnectionPool& pool_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<Pending> queue_;  // GUARDED_BY(mutex_)
  std::size_t running_ = 0;    // GUARDED_BY(mutex_): reads taken but not yet answered
  bool stopping_ = false;      // GUARDED_BY(mutex_)
  std::vector<std::thread> threads_;  // last: start once every other member exists
};

}  // namespace genq::postgres
