#pragma once
// Group commit for the sqlite store: every mutation runs on one writer thread, and
// the mutations queued while a batch commits share the next transaction and fsync.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

#include "genq/core/error.hpp"
#include "genq/metrics/histogram.hpp"
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

// Owns the writer connection and a writer thread that runs every write. A caller
// queues its operation (post) and goes on; the writer thread takes everything queued
// (up to kMaxBatch), runs it in ONE `BEGIN IMMEDIATE ... COMMIT`, and then tells each
// caller its outcome through the operation's completion. With synchronous=FULL a
// commit is one fsync, so N concurrent submits cost about one fsync instead of N, and
// no thread waits for a commit unless it asks to (write(), for callers that may block).
//
// Operations run without a savepoint each: an operation that fails without having
// changed a row (the usual case: a lost lease, an idempotency conflict) leaves nothing
// to undo. One that fails after writing is rare (an I/O error half-way); the batch is
// then rolled back and run again without it.
//
// Thread-safe. Operations, after-commit hooks and completions run on the writer thread
// with no lock held; an operation has the connection to itself. None of them may wait
// for another write (it would wait for itself): post() from a completion is fine.
class GroupCommitWriter {
 public:
  // An operation: SQL on the writer connection inside the batch's transaction. An
  // error is returned to its caller; what the operation wrote is undone.
  using Operation = std::function<Status(Connection&)>;
  // Runs once the batch holding a successful operation has committed, before the
  // completions and before the next batch can begin: hooks run in commit order, which
  // is what keeps an in-memory mirror of the file (RecentJobs) from going back in time.
  // Must be quick.
  using AfterCommit = std::function<void()>;
  // The operation's outcome, once its batch has committed (or failed). Must be quick:
  // the next batch waits for it. Reply, publish or post; never wait.
  using Done = std::function<void(Status)>;

  using Sync = CommitSync;

  // Why 256: large enough that a burst of submits from every connection fits in a
  // couple of commits, small enough that one batch holds the write lock for
  // milliseconds, not seconds (the admin command in another process waits for it).
  static constexpr std::size_t kMaxBatch = 256;

  // `sync_full`: the connection runs synchronous=FULL, so Lazy batches switch to
  // NORMAL for their commit (otherwise every commit is already unsynced).
  // Starts the writer thread.
  GroupCommitWriter(std::unique_ptr<Connection> connection, bool sync_full);
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;
  // Runs what is still queued, then stops the writer thread.
  ~GroupCommitWriter();

  // Queues `operation`; `done` gets its outcome on the writer thread.
  void post(Operation operation, AfterCommit after_commit, Sync sync, Done done);

  // Runs `operation` durably and waits: returns once the transaction holding it has
  // committed (or with the error that rolled it back, or that failed the whole batch).
  // Must not be called from the writer thread.
  Status write(Operation operation, AfterCommit after_commit = {}, Sync sync = Sync::Full);

  // Like write(), for an operation that produces a value. `fn(Connection&)` returns
  // Result<T>; the value reaches the caller only if the batch committed.
  template <class T, class Fn>
  Result<T> write_result(Fn&& fn);
  // The same, and `after_commit(const T&)` runs as an AfterCommit hook.
  template <class T, class Fn, class After>
  Result<T> write_result(Fn&& fn, After&& after_commit, Sync sync = Sync::Full);
  // post() for an operation that produces a value: `done(Result<T>)` on the writer
  // thread, after `after_commit(const T&)` has run.
  template <class T, class Fn, class After, class OnDone>
  void post_result(Fn fn, After after_commit, Sync sync, OnDone done);

  // Runs on the writer thread after every committed batch, after the operations'
  // AfterCommit hooks (so what it wakes finds the in-memory mirrors updated) and before
  // their completions, with the writer connection (to read its counters). Set it
  // before the first write.
  void on_batch_committed(std::function<void(Connection&)> hook) { batch_committed_ = std::move(hook); }

  // Committed transactions and operations so far: writes() / commits() is the
  // average batch size.
  std::uint64_t commits() const { return commits_.load(std::memory_order_relaxed); }
  std::uint64_t writes() const { return writes_.load(std::memory_order_relaxed); }
  // Writes per committed transaction, and how long each took from BEGIN to COMMIT
  // (its fsync included): /metrics.
  const Histogram& batch_sizes() const { return batch_sizes_; }
  const Histogram& commit_seconds() const { return commit_seconds_; }
  // Waits until every write queued so far (and any a completion queued meanwhile) has
  // run and been answered: at shutdown, before what the completions use is destroyed.
  void drain();

  // Writes queued now, the running batch included: a gauge for metrics, and how tests
  // know a batch has formed without sleeping.
  std::size_t queued() const;

 private:
  struct Entry {
    Operation operation;
    AfterCommit after_commit;  // may be empty
    Done done;
    Sync sync = Sync::Full;
    Status status;
    bool settled = false;  // status is final; a rerun of the batch skips it
  };

  void run();  // the writer thread
  // Runs one batch on connection_ and fills each entry's status.
  void run_batch(std::deque<Entry>& batch);
  // One try at the batch's transaction; false when it must be rolled back and run
  // again because an operation failed after writing.
  bool try_transaction(std::deque<Entry>& batch);

  std::unique_ptr<Connection> connection_;  // used only by the writer thread
  const bool sync_full_;
  std::function<void(Connection&)> batch_committed_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;  // notified when the writer thread runs out of work
  std::deque<Entry> queue_;     // GUARDED_BY(mutex_)
  std::size_t running_ = 0;     // GUARDED_BY(mutex_): entries in the batch being run
  bool idle_ = false;           // GUARDED_BY(mutex_): the writer thread waits for work
  bool stopping_ = false;       // GUARDED_BY(mutex_)

  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> writes_{0};
  Histogram batch_sizes_{buckets::batch_sizes()};
  Histogram commit_seconds_{buckets::commit_seconds()};
  std::thread thread_;  // last: starts once every other member exists
};

template <class T, class Fn>
Result<T> GroupCommitWriter::write_result(Fn&& fn) {
  return write_result<T>(std::forward<Fn>(fn), [](const T&) {});
}

template <class T, class Fn, class After>
Result<T> GroupCommitWriter::write_result(Fn&& fn, After&& after_commit, Sync sync) {
  std::optional<T> out;
  Status status = write(
      [&](Connection& connection) -> Status {
        Result<T> result = fn(connection);
        if (!result) {
          return fail(std::move(result.error()));
        }
        out.emplace(std::move(*result));
        return {};
      },
      [&] { after_commit(*out); }, sync);
  if (!status) {
    return fail(std::move(status.error()));
  }
  return std::move(*out);
}

template <class T, class Fn, class After, class OnDone>
void GroupCommitWriter::post_result(Fn fn, After after_commit, Sync sync, OnDone done) {
  // One allocation holds the operation, its value and its callbacks; each std::function
  // below captures only the shared pointer, which fits their small-object buffer.
  struct State {
    Fn fn;
    After after_commit;
    OnDone done;
    std::optional<T> out;
  };
  auto state = std::make_shared<State>(State{std::move(fn), std::move(after_commit), std::move(done), std::nullopt});
  post(
      [state](Connection& connection) -> Status {
        Result<T> result = state->fn(connection);
        if (!result) {
          return fail(std::move(result.error()));
        }
        state->out.emplace(std::move(*result));
        return {};
      },
      [state] { state->after_commit(*state->out); }, sync,
      [state](Status status) {
        if (!status) {
          state->done(Result<T>(fail(std::move(status.error()))));
        } else {
          state->done(Result<T>(std::move(*state->out)));
        }
      });
}

}  // namespace genq::sqlite
