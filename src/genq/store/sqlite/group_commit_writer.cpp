#include "genq/store/sqlite/group_commit_writer.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>

namespace genq::sqlite {
namespace {

// Transaction control goes through the statement cache: these run at least twice per
// batch, and preparing them each time would be wasted work on the hot path.
Status run_sql(Connection& connection, const std::string& sql) {
  Result<Statement> statement = connection.prepare(sql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  return statement->run();
}

// Operations report failure as values, but std::function, std::string and the JSON
// library may still throw (bad_alloc, length_error); none may escape to the writer
// thread, whose callers would then wait forever.
Status run_guarded(const GroupCommitWriter::Operation& operation, Connection& connection) {
  try {
    return operation(connection);
  } catch (const std::exception& e) {
    return fail(Error::internal(std::string("store operation threw: ") + e.what()));
  }
}

// Hooks and completions run after the outcome is decided; a throwing one (a cache
// running out of memory, a reply that cannot be queued) must not stop the others.
template <class Fn>
void run_quietly(const Fn& fn) noexcept {
  try {
    fn();
  } catch (const std::exception&) {
  }
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<Connection> connection, bool sync_full)
    : connection_(std::move(connection)), sync_full_(sync_full), thread_([this] { run(); }) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void GroupCommitWriter::drain() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [&] { return queue_.empty() && running_ == 0; });
}

std::size_t GroupCommitWriter::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + running_;
}

void GroupCommitWriter::post(Operation operation, AfterCommit after_commit, Sync sync, Done done) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Entry{std::move(operation), std::move(after_commit), std::move(done), sync, {}, false});
    wake = idle_;
    idle_ = false;  // one wake-up is enough for everything queued until it runs
  }
  // Only a waiting writer thread needs the futex call; a busy one finds the entry
  // when its batch ends.
  if (wake) {
    wake_.notify_one();
  }
}

Status GroupCommitWriter::write(Operation operation, AfterCommit after_commit, Sync sync) {
  if (std::this_thread::get_id() == thread_.get_id()) {
    // From a completion: it would wait for the thread that is waiting for it.
    return fail(Error::internal("a blocking store write from the store's writer thread"));
  }
  std::mutex done_mutex;
  std::condition_variable done_cv;
  std::optional<Status> outcome;
  post(std::move(operation), std::move(after_commit), sync, [&](Status status) {
    std::lock_guard lock(done_mutex);
    outcome.emplace(std::move(status));
    done_cv.notify_one();
  });
  std::unique_lock lock(done_mutex);
  done_cv.wait(lock, [&] { return outcome.has_value(); });
  return std::move(*outcome);
}

void GroupCommitWriter::run() {
  std::deque<Entry> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      running_ = 0;
      if (queue_.empty()) {
        drained_.notify_all();
      }
      if (queue_.empty() && !stopping_) {
        idle_ = true;
        wake_.wait(lock, [&] { return !queue_.empty() || stopping_; });
        idle_ = false;
      }
      if (queue_.empty()) {
        return;  // stopping, and everything queued has run
      }
      // Take what is queued now; writes arriving while the batch runs form the next.
      const std::size_t size = std::min(queue_.size(), kMaxBatch);
      auto end = queue_.begin() + static_cast<std::ptrdiff_t>(size);
      batch.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(end));
      queue_.erase(queue_.begin(), end);
      running_ = size;
    }
    run_batch(batch);
    for (Entry& entry : batch) {
      if (entry.done) {
        run_quietly([&] { entry.done(std::move(entry.status)); });
      }
    }
    batch.clear();
  }
}

void GroupCommitWriter::run_batch(std::deque<Entry>& batch) {
  Connection& connection = *connection_;
  auto fail_all = [&](const Error& error) {
    for (Entry& entry : batch) {
      if (!entry.settled || entry.status) {
        entry.status = fail(error);
      }
    }
  };

  // A batch of Lazy writes only commits without the fsync; the setting is the
  // connection's, so it is put back whatever happens to the batch.
  const bool lazy = sync_full_ && std::all_of(batch.begin(), batch.end(),
                                              [](const Entry& e) { return e.sync == Sync::Lazy; });
  if (lazy) {
    if (Status relaxed = run_sql(connection, "PRAGMA synchronous = NORMAL"); !relaxed) {
      fail_all(relaxed.error());
      return;
    }
  }
  // Each rerun settles at least one more entry, so this ends.
  while (!try_transaction(batch)) {
  }
  if (lazy) {
    if (Status restored = run_sql(connection, "PRAGMA synchronous = FULL"); !restored) {
      // Later Full writes would not be fsynced: stop writing rather than lie about it.
      std::terminate();
    }
  }
}

bool GroupCommitWriter::try_transaction(std::deque<Entry>& batch) {
  const auto started = std::chrono::steady_clock::now();
  Connection& connection = *connection_;
  auto fail_unsettled = [&](const Error& error) {
    for (Entry& entry : batch) {
      if (!entry.settled || entry.status) {
        entry.status = fail(error);
        entry.settled = true;
      }
    }
  };
  // IMMEDIATE takes the write lock now, waiting up to busy_timeout for another
  // process (genq admin) instead of failing later at the first write.
  if (Status begun = run_sql(connection, "BEGIN IMMEDIATE"); !begun) {
    fail_unsettled(begun.error());
    return true;
  }

  for (Entry& entry : batch) {
    if (entry.settled) {
      continue;  // failed in an earlier try of this batch
    }
    const std::int64_t changes_before = connection.total_changes();
    Status status = run_guarded(entry.operation, connection);
    if (connection.in_autocommit()) {
      // A severe error (I/O, disk full, out of memory) made sqlite roll back the
      // whole transaction: the operations before this one are gone too.
      Error error = status ? Error::internal("transaction rolled back by sqlite") : status.error();
      error.message = "batch rolled back: " + error.message;
      fail_unsettled(error);
      return true;
    }
    if (!status && connection.total_changes() != changes_before) {
      // It failed after writing, and there is no savepoint to undo just its part:
      // undo the whole transaction and run the others again without it.
      entry.status = std::move(status);
      entry.settled = true;
      if (Status rolled_back = run_sql(connection, "ROLLBACK"); !rolled_back) {
        fail_unsettled(rolled_back.error());
        return true;
      }
      return false;
    }
    entry.status = std::move(status);
    if (!entry.status) {
      entry.settled = true;  // failed cleanly: nothing of it is in the transaction
    }
  }

  if (Status committed = run_sql(connection, "COMMIT"); !committed) {
    fail_unsettled(committed.error());
    if (!connection.in_autocommit()) {
      (void)run_sql(connection, "ROLLBACK");  // every writer already holds the commit error
    }
    return true;
  }
  commits_.fetch_add(1, std::memory_order_relaxed);
  writes_.fetch_add(batch.size(), std::memory_order_relaxed);
  batch_sizes_.observe(static_cast<double>(batch.size()));
  commit_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  for (Entry& entry : batch) {
    if (entry.status && entry.after_commit) {
      run_quietly(entry.after_commit);
    }
  }
  if (batch_committed_) {
    run_quietly([&] { batch_committed_(*connection_); });
  }
  return true;
}

}  // namespace genq::sqlite
