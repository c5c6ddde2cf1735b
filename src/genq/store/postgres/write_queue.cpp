#include "genq/store/postgres/write_queue.hpp"

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>

namespace genq::postgres {
namespace {

// Retries of a batch the server aborted to break a deadlock (another node's batch
// locked the same jobs in the other order): the survivor commits meanwhile.
constexpr int kDeadlockTries = 5;

Status run_guarded(const WriteQueue::Operation& operation, Connection& connection) {
  try {
    return operation(connection);
  } catch (const std::exception& e) {
    return fail(Error::internal(std::string("store operation threw: ") + e.what()));
  }
}

template <class Fn>
void run_quietly(const Fn& fn) noexcept {
  try {
    fn();
  } catch (const std::exception&) {
  }
}

}  // namespace

WriteQueue::WriteQueue(std::unique_ptr<Connection> connection)
    : connection_(std::move(connection)), thread_([this] { run(); }) {}

WriteQueue::~WriteQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WriteQueue::post(Operation operation, CommitSync sync, Done done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Entry{std::move(operation), std::move(done), sync, {}});
  }
  wake_.notify_one();
}

void WriteQueue::drain() {
  std::unique_lock lock(mutex_);
  drained_.wait(lock, [&] { return queue_.empty() && running_ == 0; });
}

void WriteQueue::run() {
  std::deque<Entry> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      running_ = 0;
      if (queue_.empty()) {
        drained_.notify_all();
      }
      wake_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) {
        return;  // stopping, and everything queued has run
      }
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

void WriteQueue::run_batch(std::deque<Entry>& batch) {
  int deadlocks = 0;
  while (true) {
    bool deadlock_retry = false;
    if (try_batch(batch, deadlocks + 1 < kDeadlockTries, deadlock_retry)) {
      return;
    }
    if (deadlock_retry) {
      ++deadlocks;
      for (Entry& entry : batch) {
        entry.settled = false;  // the whole batch runs again
        entry.status = {};
      }
    }
  }
}

bool WriteQueue::try_batch(std::deque<Entry>& batch, bool retry_deadlock, bool& deadlock_retry) {
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
  if (Status open = connection.ensure_open(); !open) {
    fail_unsettled(open.error());
    return true;
  }
  const bool lazy = std::all_of(batch.begin(), batch.end(), [](const Entry& e) { return e.sync == CommitSync::Lazy; });
  if (Status begun = connection.exec(lazy ? "BEGIN; SET LOCAL synchronous_commit = off" : "BEGIN"); !begun) {
    fail_unsettled(begun.error());
    return true;
  }
  for (Entry& entry : batch) {
    if (entry.settled) {
      continue;  // failed in an earlier try of this batch
    }
    const std::uint64_t changes_before = connection.changes();
    Status status = run_guarded(entry.operation, connection);
    if (!status && connection.last_error_retryable() && retry_deadlock) {
      (void)connection.exec("ROLLBACK");
      deadlock_retry = true;
      return false;
    }
    if (!status && (connection.transaction_failed() || connection.changes() != changes_before)) {
      // Its part cannot be undone alone: undo the transaction, run the others again.
      entry.status = std::move(status);
      entry.settled = true;
      if (Status rolled_back = connection.exec("ROLLBACK"); !rolled_back) {
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
  if (Status committed = connection.exec("COMMIT"); !committed) {
    if (connection.last_error_retryable() && retry_deadlock) {
      deadlock_retry = true;
      return false;
    }
    fail_unsettled(committed.error());
    if (connection.in_transaction()) {
      (void)connection.exec("ROLLBACK");
    }
    return true;
  }
  commits_.fetch_add(1, std::memory_order_relaxed);
  writes_.fetch_add(batch.size(), std::memory_order_relaxed);
  batch_sizes_.observe(static_cast<double>(batch.size()));
  commit_seconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (batch_committed_) {
    run_quietly([&] { batch_committed_(connection); });
  }
  return true;
}

}  // namespace genq::postgres
