#pragma once
// The PostgreSQL store's connection thread: the job transitions (submit, claim,
// heartbeat, progress, complete, fail, release, cancel) are queued here by callers
// that never wait, and run in batches: what is queued when the thread comes round
// shares one transaction and one commit (the group commit of the SQLite store's
// GroupCommitWriter, and for the same reason: one WAL flush for many writes).
//
// There is no SAVEPOINT per operation (two more round trips each), as in the SQLite
// store: an operation that fails without having changed a row or broken the
// transaction (a lost lease, a cancelled job, an idempotency conflict: the usual
// failures) leaves nothing to undo. One that fails after writing, or with an SQL error
// (which leaves the transaction accepting only ROLLBACK), makes the queue roll back
// and run the batch again without it. A deadlock or serialization failure aborts the
// whole transaction; the batch then runs again from its start, a few times at most.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "genq/core/error.hpp"
#include "genq/metrics/histogram.hpp"
#include "genq/store/postgres/pg_connection.hpp"

namespace genq::postgres {

// How durable a batch's commit must be before its callers are answered.
enum class CommitSync {
  // Flushed to the server's WAL on disk (synchronous_commit as configured).
  Full,
  // synchronous_commit = off for this transaction: committed and visible at once, on
  // disk within the server's wal_writer_delay. For worker bookkeeping (claims,
  // heartbeats, progress, released claims), which a lost write only repeats, as an
  // expired lease does. A batch is Full if any of its writes is.
  Lazy,
};

// Thread-safe. Operations and completions run on the queue's thread with no lock
// held; an operation has the connection to itself. Neither may wait for another
// write of this queue (it would wait for itself): posting is fine.
class WriteQueue {
 public:
  using Operation = std::function<Status(Connection&)>;
  // The outcome, once the batch has committed (or failed). Must be quick: the next
  // batch waits for it. Reply, publish or post; never wait.
  using Done = std::function<void(Status)>;

  // Why 128: a burst of submits from every connection fits in a few commits, and one
  // batch holds its row locks for milliseconds.
  static constexpr std::size_t kMaxBatch = 128;

  // Starts the thread.
  explicit WriteQueue(std::unique_ptr<Connection> connection);
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;
  // Runs what is still queued, then stops the thread.
  ~WriteQueue();

  void post(Operation operation, CommitSync sync, Done done);
  // post() for an operation that produces a value: `done(Result<T>)` with it once
  // committed. `fn(Connection&)` returns Result<T>; it may run more than once when a
  // deadlock makes the batch run again, and only its last value counts.
  template <class T, class Fn, class OnDone>
  void post_result(Fn fn, CommitSync sync, OnDone done);

  // Runs on the queue's thread after every committed batch, before its completions.
  // Set it before the first post.
  void on_batch_committed(std::function<void(Connection&)> hook) { batch_committed_ = std::move(hook); }

  // Waits until every write queued so far has been answered.
  void drain();

  std::uint64_t commits() const { return commits_.load(std::memory_order_relaxed); }
  std::uint64_t writes() const { return writes_.load(std::memory_order_relaxed); }
  // Writes per committed transaction, and how long each took from BEGIN to COMMIT
  // (its fsync included): /metrics.
  const Histogram& batch_sizes() const { return batch_sizes_; }
  const Histogram& commit_seconds() const { return commit_seconds_; }

 private:
  struct Entry {
    Operation operation;
    Done done;
    CommitSync sync = CommitSync::Full;
    Status status;
    bool settled = false;  // status is final; a rerun of the batch skips it
  };

  void run();
  void run_batch(std::deque<Entry>& batch);
  // One try; false when the batch must run again: without an operation that failed
  // after writing, or (`deadlock_retry` true) because the server aborted it for a
  // deadlock while `retry_deadlock` allowed another try.
  bool try_batch(std::deque<Entry>& batch, bool retry_deadlock, bool& deadlock_retry);

  std::unique_ptr<Connection> connection_;  // used by the queue's thread only
  std::function<void(Connection&)> batch_committed_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<Entry> queue_;  // GUARDED_BY(mutex_)
  std::size_t running_ = 0;  // GUARDED_BY(mutex_)
  bool stopping_ = false;    // GUARDED_BY(mutex_)

  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> writes_{0};
  Histogram batch_sizes_{buckets::batch_sizes()};
  Histogram commit_seconds_{buckets::commit_seconds()};
  std::thread thread_;  // last: starts once every other member exists
};

template <class T, class Fn, class OnDone>
void WriteQueue::post_result(Fn fn, CommitSync sync, OnDone done) {
  struct State {
    Fn fn;
    OnDone done;
    std::optional<T> out;
  };
  auto state = std::make_shared<State>(State{std::move(fn), std::move(done), std::nullopt});
  post(
      [state](Connection& connection) -> Status {
        Result<T> result = state->fn(connection);
        if (!result) {
          return fail(std::move(result.error()));
        }
        state->out.emplace(std::move(*result));
        return {};
      },
      sync,
      [state](Status status) {
        if (!status) {
          state->done(Result<T>(fail(std::move(status.error()))));
        } else {
          state->done(Result<T>(std::move(*state->out)));
        }
      });
}

}  // namespace genq::postgres
