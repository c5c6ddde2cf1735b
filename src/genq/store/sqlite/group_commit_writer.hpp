#pragma once
// Group commit for the sqlite store: every mutation runs on one writer connection,
// and concurrent mutations share one transaction and one fsync.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>

#include "genq/core/error.hpp"
#include "genq/store/sqlite/sqlite_connection.hpp"

namespace genq::sqlite {

// How far a write's commit must have reached before the write returns.
enum class CommitSync {
  // Fsynced (when the connection runs synchronous=FULL): survives power loss.
  Full,
  // In the WAL but not yet fsynced: survives the process's death, and power loss
  // once any later Full commit or checkpoint has synced the WAL. For the workers'
  // bookkeeping (claims, heartbeats, progress), which a lost write only repeats.
  // A batch is Full if any of its writes is.
  Lazy,
};

// Owns the writer connection and serialises all writes through it, after LevelDB's
// DBImpl::Write: a caller queues its operation and waits; the caller at the front of
// the queue becomes the leader, takes up to kMaxBatch queued operations, runs them in
// ONE `BEGIN IMMEDIATE ... COMMIT` (each inside its own SAVEPOINT, so a failing
// operation rolls back only itself), commits once, hands every follower its result
// and wakes the next leader. With synchronous=FULL a commit is one fsync, so N
// concurrent submits cost about one fsync instead of N.
//
// Thread-safe. Operations run on the leader's thread with no lock held; only one
// leader exists at a time, so an operation has the connection to itself. An operation
// must not call back into the writer (it would wait for itself).
class GroupCommitWriter {
 public:
  // An operation: SQL on the writer connection inside the batch's transaction. An
  // error rolls back this operation's savepoint and is returned to its caller.
  using Operation = std::function<Status(Connection&)>;
  // Runs on the leader's thread once the batch holding a successful operation has
  // committed, before the next batch can begin: hooks run in commit order, which is
  // what keeps an in-memory mirror of the file (RecentJobs) from going back in time.
  // Must be quick and must not call back into the writer.
  using AfterCommit = std::function<void()>;

  using Sync = CommitSync;

  // Why 256: large enough that a burst of submits from every HTTP thread fits in a
  // couple of commits, small enough that one batch holds the write lock for
  // milliseconds, not seconds (the admin command in another process waits for it).
  static constexpr std::size_t kMaxBatch = 256;

  // `sync_full`: the connection runs synchronous=FULL, so Lazy batches switch to
  // NORMAL for their commit (otherwise every commit is already unsynced).
  GroupCommitWriter(std::unique_ptr<Connection> connection, bool sync_full);
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Runs `operation` durably: returns once the transaction holding it has committed
  // (or with the error that rolled it back, or that failed the whole batch).
  Status write(Operation operation, AfterCommit after_commit = {}, Sync sync = Sync::Full);

  // Like write(), for an operation that produces a value. `fn(Connection&)` returns
  // Result<T>; the value reaches the caller only if the batch committed.
  template <class T, class Fn>
  Result<T> write_result(Fn&& fn);
  // The same, and `after_commit(const T&)` runs as an AfterCommit hook.
  template <class T, class Fn, class After>
  Result<T> write_result(Fn&& fn, After&& after_commit, Sync sync = Sync::Full);

  // Runs on the leader's thread after every committed batch, after the operations'
  // AfterCommit hooks (so what it wakes finds the in-memory mirrors updated), with the
  // writer connection (to read its counters). Set it before the first write.
  void on_batch_committed(std::function<void(Connection&)> hook) { batch_committed_ = std::move(hook); }

  // Committed transactions and operations so far: writes() / commits() is the
  // average batch size.
  std::uint64_t commits() const { return commits_.load(std::memory_order_relaxed); }
  std::uint64_t writes() const { return writes_.load(std::memory_order_relaxed); }
  // Writers queued now, the running batch included: a gauge for metrics, and how tests
  // know a batch has formed without sleeping.
  std::size_t queued() const;

 private:
  struct Writer {
    Operation* operation;
    AfterCommit* after_commit;  // may be empty
    Sync sync;
    Status status;
    bool done = false;
    std::condition_variable cv;
  };

  // write_result's body: `out` receives fn's value, which after_commit may read.
  template <class T, class Fn>
  Result<T> write_value(Fn& fn, std::optional<T>& out, AfterCommit after_commit, Sync sync);

  // Runs one batch on connection_ and fills each writer's status.
  // Requires: called by the leader, mutex_ not held.
  void run_batch(Writer* const* batch, std::size_t size);
  // run_batch's transaction, between the sync settings.
  template <class FailAll>
  void run_transaction(Writer* const* batch, std::size_t size, const FailAll& fail_all);

  std::unique_ptr<Connection> connection_;  // used only by the current leader
  const bool sync_full_;
  std::function<void(Connection&)> batch_committed_;

  mutable std::mutex mutex_;
  std::deque<Writer*> queue_;  // guarded by mutex_; the front is the leader

  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> writes_{0};
};

template <class T, class Fn>
Result<T> GroupCommitWriter::write_result(Fn&& fn) {
  std::optional<T> out;
  return write_value(fn, out, {}, Sync::Full);
}

template <class T, class Fn, class After>
Result<T> GroupCommitWriter::write_result(Fn&& fn, After&& after_commit, Sync sync) {
  std::optional<T> out;
  return write_value(fn, out, [&] { after_commit(*out); }, sync);
}

template <class T, class Fn>
Result<T> GroupCommitWriter::write_value(Fn& fn, std::optional<T>& out, AfterCommit after_commit, Sync sync) {
  Status status = write(
      [&](Connection& connection) -> Status {
        Result<T> result = fn(connection);
        if (!result) {
          return fail(std::move(result.error()));
        }
        out.emplace(std::move(*result));
        return {};
      },
      std::move(after_commit), sync);
  if (!status) {
    return fail(std::move(status.error()));
  }
  return std::move(*out);
}

}  // namespace genq::sqlite
