#include "genq/store/sqlite/group_commit_writer.hpp"

#include <algorithm>
#include <exception>
#include <string>
#include <vector>

namespace genq::sqlite {
namespace {

// Transaction control goes through the statement cache: these run several times per
// batch, and preparing them each time would be wasted work on the hot path.
Status run_sql(Connection& connection, const std::string& sql) {
  Result<Statement> statement = connection.prepare(sql);
  if (!statement) {
    return fail(std::move(statement.error()));
  }
  return statement->run();
}

// Operations report failure as values, but std::function, std::string and the JSON
// library may still throw (bad_alloc, length_error); none may escape to the leader,
// whose followers would then wait forever.
Status run_guarded(const GroupCommitWriter::Operation& operation, Connection& connection) {
  try {
    return operation(connection);
  } catch (const std::exception& e) {
    return fail(Error::internal(std::string("store operation threw: ") + e.what()));
  }
}

// The write is durable by now and its caller will be told so; a throwing hook (a
// cache running out of memory) must not turn that into an error or stop the others.
void run_after_commit(const GroupCommitWriter::AfterCommit& hook) noexcept {
  try {
    hook();
  } catch (const std::exception&) {
  }
}

}  // namespace

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<Connection> connection, bool sync_full)
    : connection_(std::move(connection)), sync_full_(sync_full) {}

std::size_t GroupCommitWriter::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

Status GroupCommitWriter::write(Operation operation, AfterCommit after_commit, Sync sync) {
  Writer self;
  self.operation = &operation;
  self.after_commit = &after_commit;
  self.sync = sync;

  std::unique_lock lock(mutex_);
  queue_.push_back(&self);
  self.cv.wait(lock, [&] { return self.done || queue_.front() == &self; });
  if (self.done) {
    return std::move(self.status);  // a leader ran our operation in its batch
  }

  // We are the leader: take what is queued now. Writers arriving while the batch runs
  // queue behind it and form the next batch.
  const std::size_t size = std::min(queue_.size(), kMaxBatch);
  std::vector<Writer*> batch(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(size));
  lock.unlock();
  run_batch(batch.data(), size);
  lock.lock();

  for (std::size_t i = 0; i < size; ++i) {
    Writer* finished = queue_.front();
    queue_.pop_front();
    if (finished != &self) {
      finished->done = true;
      finished->cv.notify_one();
    }
  }
  if (!queue_.empty()) {
    queue_.front()->cv.notify_one();  // the next leader
  }
  return std::move(self.status);
}

void GroupCommitWriter::run_batch(Writer* const* batch, std::size_t size) {
  Connection& connection = *connection_;
  auto fail_all = [&](const Error& error) {
    for (std::size_t i = 0; i < size; ++i) {
      batch[i]->status = fail(error);
    }
  };

  // A batch of Lazy writes only commits without the fsync; the setting is the
  // connection's, so it is put back whatever happens to the batch.
  const bool lazy = sync_full_ && std::all_of(batch, batch + size, [](const Writer* w) { return w->sync == Sync::Lazy; });
  if (lazy) {
    if (Status relaxed = run_sql(connection, "PRAGMA synchronous = NORMAL"); !relaxed) {
      fail_all(relaxed.error());
      return;
    }
  }
  run_transaction(batch, size, fail_all);
  if (lazy) {
    if (Status restored = run_sql(connection, "PRAGMA synchronous = FULL"); !restored) {
      // Later Full writes would not be fsynced: stop writing rather than lie about it.
      std::terminate();
    }
  }
}

template <class FailAll>
void GroupCommitWriter::run_transaction(Writer* const* batch, std::size_t size, const FailAll& fail_all) {
  Connection& connection = *connection_;
  // IMMEDIATE takes the write lock now, waiting up to busy_timeout for another
  // process (genq admin) instead of failing later at the first write.
  if (Status begun = run_sql(connection, "BEGIN IMMEDIATE"); !begun) {
    fail_all(begun.error());
    return;
  }

  for (std::size_t i = 0; i < size; ++i) {
    Writer* writer = batch[i];
    Status status = run_sql(connection, "SAVEPOINT op");
    if (status) {
      status = run_guarded(*writer->operation, connection);
      if (connection.in_autocommit()) {
        // A severe error (I/O, disk full, out of memory) made sqlite roll back the
        // whole transaction: the operations before this one are gone too.
        Error error = status ? Error::internal("transaction rolled back by sqlite") : status.error();
        error.message = "batch rolled back: " + error.message;
        fail_all(error);
        return;
      }
      Status closed = status ? Status() : run_sql(connection, "ROLLBACK TO op");
      if (closed) {
        closed = run_sql(connection, "RELEASE op");
      }
      if (!closed) {
        // The savepoint machinery itself failed; the transaction's state is unknown.
        fail_all(closed.error());
        if (!connection.in_autocommit()) {
          (void)run_sql(connection, "ROLLBACK");  // the batch already reports an error
        }
        return;
      }
    }
    writer->status = std::move(status);
  }

  if (Status committed = run_sql(connection, "COMMIT"); !committed) {
    for (std::size_t i = 0; i < size; ++i) {
      if (batch[i]->status) {
        batch[i]->status = fail(committed.error());
      }
    }
    if (!connection.in_autocommit()) {
      (void)run_sql(connection, "ROLLBACK");  // every writer already holds the commit error
    }
    return;
  }
  commits_.fetch_add(1, std::memory_order_relaxed);
  writes_.fetch_add(size, std::memory_order_relaxed);
  for (std::size_t i = 0; i < size; ++i) {
    if (batch[i]->status && *batch[i]->after_commit) {
      run_after_commit(*batch[i]->after_commit);
    }
  }
  if (batch_committed_) {
    run_after_commit([&] { batch_committed_(connection); });
  }
}

}  // namespace genq::sqlite
