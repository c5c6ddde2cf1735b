// GroupCommitWriter: batching of concurrent writes, per-operation rollback, and
// asynchronous writes answered from their commit.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include <thread>

#include "genq/store/sqlite/group_commit_writer.hpp"
#include "genq/store/sqlite/sqlite_connection.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace genq::sqlite {
namespace {

using namespace std::chrono_literals;

class SqliteGroupCommit : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<Connection>> connection =
        Connection::open(dir_.file("writer.db"), Connection::Mode::ReadWrite, 5000ms);
    ASSERT_TRUE(connection) << connection.error().message;
    ASSERT_TRUE((*connection)->exec("PRAGMA journal_mode = WAL; CREATE TABLE t (v TEXT PRIMARY KEY)"));
    writer_ = std::make_unique<GroupCommitWriter>(std::move(*connection), /*sync_full=*/true);
  }

  static GroupCommitWriter::Operation insert(std::string value) {
    return [value = std::move(value)](Connection& connection) -> Status {
      Result<Statement> statement = connection.prepare("INSERT INTO t (v) VALUES (?1)");
      if (!statement) {
        return fail(statement.error());
      }
      statement->bind_text(1, value);
      return statement->run();
    };
  }

  // Rows in t, read through the writer so the count is taken in a transaction.
  std::int64_t rows() {
    Result<std::int64_t> count =
        writer_->write_result<std::int64_t>([](Connection& connection) -> Result<std::int64_t> {
          Result<Statement> statement = connection.prepare("SELECT COUNT(*) FROM t");
          if (!statement) {
            return fail(statement.error());
          }
          Result<bool> row = statement->step();
          if (!row) {
            return fail(row.error());
          }
          return statement->column_int64(0);
        });
    EXPECT_TRUE(count) << count.error().message;
    return count.value_or(-1);
  }

  genq::testing::TempDir dir_{"genq-group-commit"};
  std::unique_ptr<GroupCommitWriter> writer_;
};

TEST_F(SqliteGroupCommit, FailingOperationRollsBackOnlyItself) {
  Status failed = writer_->write([](Connection& connection) -> Status {
    Status inserted = insert("half-done")(connection);
    EXPECT_TRUE(inserted);
    return fail(Error::conflict("changed my mind"));
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::Conflict);
  EXPECT_EQ(failed.error().message, "changed my mind");
  ASSERT_TRUE(writer_->write(insert("kept")));
  EXPECT_EQ(rows(), 1) << "the failed operation's insert must be rolled back";
}

TEST_F(SqliteGroupCommit, WritersQueuedBehindALeaderShareOneCommit) {
  // The first write holds the writer thread until three more writes have
  // queued; they then run as one batch, where the duplicate fails on its own.
  std::atomic<bool> leader_running{false};
  std::thread leader([&] {
    Status status = writer_->write([&](Connection& connection) -> Status {
      leader_running = true;
      EXPECT_TRUE(genq::testing::wait_until(10s, [&] { return writer_->queued() == 4; }))
          << "followers never queued";
      return insert("leader")(connection);
    });
    EXPECT_TRUE(status);
  });
  // Running, not just queued: a write queued before the writer thread took the
  // leader's could otherwise join its batch.
  ASSERT_TRUE(genq::testing::wait_until(10s, [&] { return leader_running.load(); }));
  const std::uint64_t commits_before = writer_->commits();

  std::atomic<int> succeeded{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> followers;
  for (const char* value : {"a", "leader", "b"}) {
    followers.emplace_back([&, value] {
      Status status = writer_->write(insert(value));
      if (status) {
        ++succeeded;
      } else if (status.error().kind == ErrorKind::Conflict) {
        ++conflicts;
      }
    });
  }
  leader.join();
  for (std::thread& follower : followers) {
    follower.join();
  }

  EXPECT_EQ(succeeded.load(), 2);
  EXPECT_EQ(conflicts.load(), 1) << "the duplicate of 'leader' fails alone";
  EXPECT_EQ(writer_->commits() - commits_before, 2u) << "leader's batch, then one batch of three";
  EXPECT_EQ(rows(), 3);
}

TEST_F(SqliteGroupCommit, ValueReachesCallerOnlyAfterCommit) {
  Result<std::string> value =
      writer_->write_result<std::string>([](Connection& connection) -> Result<std::string> {
        Status inserted = insert("x")(connection);
        if (!inserted) {
          return fail(inserted.error());
        }
        return std::string("inserted");
      });
  ASSERT_TRUE(value) << value.error().message;
  EXPECT_EQ(*value, "inserted");
  EXPECT_EQ(writer_->writes(), 1u);
  EXPECT_EQ(writer_->commits(), 1u);
}

TEST_F(SqliteGroupCommit, ThrowingOperationBecomesInternalError) {
  Status thrown = writer_->write([](Connection&) -> Status { throw std::runtime_error("boom"); });
  ASSERT_FALSE(thrown);
  EXPECT_EQ(thrown.error().kind, ErrorKind::Internal);
  EXPECT_TRUE(writer_->write(insert("after")));
}

TEST_F(SqliteGroupCommit, AfterCommitHooksRunOnlyForCommittedOperationsInCommitOrder) {
  std::vector<std::string> seen;
  std::atomic<bool> leader_running{false};
  std::thread leader([&] {
    Status status = writer_->write(
        [&](Connection& connection) -> Status {
          leader_running = true;
          EXPECT_TRUE(genq::testing::wait_until(10s, [&] { return writer_->queued() == 3; }));
          return insert("first")(connection);
        },
        [&] { seen.push_back("first"); });
    EXPECT_TRUE(status);
  });
  // Running, not just queued: a write queued before the writer thread took the
  // leader's could otherwise join its batch.
  ASSERT_TRUE(genq::testing::wait_until(10s, [&] { return leader_running.load(); }));
  std::thread duplicate([&] {
    EXPECT_FALSE(writer_->write(insert("first"), [&] { seen.push_back("duplicate"); }));
  });
  ASSERT_TRUE(genq::testing::wait_until(10s, [&] { return writer_->queued() == 2; }));
  std::thread second([&] {
    Result<int> value = writer_->write_result<int>(
        [](Connection& connection) -> Result<int> {
          if (Status inserted = insert("second")(connection); !inserted) return fail(inserted.error());
          return 7;
        },
        [&](const int& v) { seen.push_back("second " + std::to_string(v)); });
    EXPECT_TRUE(value);
  });
  leader.join();
  duplicate.join();
  second.join();
  // Hooks run on the leader's thread before it wakes the batch's writers, so every
  // hook has run by the time the writes above have returned.
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], "first");
  EXPECT_EQ(seen[1], "second 7");
}

// The synchronous setting a write's own transaction commits under: 2 = FULL, 1 = NORMAL.
std::int64_t synchronous_during(GroupCommitWriter& writer, GroupCommitWriter::Sync sync) {
  Result<std::int64_t> level = writer.write_result<std::int64_t>(
      [](Connection& connection) -> Result<std::int64_t> {
        Result<Statement> statement = connection.prepare("PRAGMA synchronous");
        if (!statement) return fail(statement.error());
        Result<bool> row = statement->step();
        if (!row) return fail(row.error());
        return statement->column_int64(0);
      },
      [](const std::int64_t&) {}, sync);
  EXPECT_TRUE(level) << level.error().message;
  return level.value_or(-1);
}

TEST_F(SqliteGroupCommit, LazyWritesCommitWithoutTheFsyncAndFullOnesStillWaitForIt) {
  // The fixture's connection runs sqlite's default, FULL, like genq's store.
  EXPECT_EQ(synchronous_during(*writer_, GroupCommitWriter::Sync::Full), 2);
  EXPECT_EQ(synchronous_during(*writer_, GroupCommitWriter::Sync::Lazy), 1);
  EXPECT_EQ(synchronous_during(*writer_, GroupCommitWriter::Sync::Full), 2) << "FULL is put back after a lazy batch";
  ASSERT_TRUE(writer_->write(insert("lazy"), {}, GroupCommitWriter::Sync::Lazy));
  EXPECT_EQ(rows(), 1) << "a lazy write is committed like any other";
}

TEST_F(SqliteGroupCommit, ThrowingAfterCommitHookLeavesTheWriteCommitted) {
  Status status = writer_->write(insert("x"), [] { throw std::runtime_error("cache full"); });
  EXPECT_TRUE(status) << "the write is durable; the hook's failure is not the caller's";
  EXPECT_EQ(rows(), 1);
}

TEST_F(SqliteGroupCommit, AnOperationFailingAfterItsWriteIsUndoneAndTheRestOfItsBatchCommits) {
  // The leader's operation holds the writer thread until three more writes have
  // queued; they run as one batch, whose middle one fails after inserting.
  std::atomic<bool> leader_running{false};
  std::thread leader([&] {
    EXPECT_TRUE(writer_->write([&](Connection& connection) -> Status {
      leader_running = true;
      EXPECT_TRUE(genq::testing::wait_until(10s, [&] { return writer_->queued() == 4; }));
      return insert("leader")(connection);
    }));
  });
  // Running, not just queued: a write queued before the writer thread took the
  // leader's could otherwise join its batch.
  ASSERT_TRUE(genq::testing::wait_until(10s, [&] { return leader_running.load(); }));
  const std::uint64_t commits_before = writer_->commits();
  std::thread first([&] { EXPECT_TRUE(writer_->write(insert("a"))); });
  ASSERT_TRUE(genq::testing::wait_until(10s, [&] { return writer_->queued() == 2; }));
  std::thread half_done([&] {
    Status failed = writer_->write([](Connection& connection) -> Status {
      if (Status inserted = insert("half-done")(connection); !inserted) return inserted;
      return fail(Error::internal("failed after writing"));
    });
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "failed after writing");
  });
  ASSERT_TRUE(genq::testing::wait_until(10s, [&] { return writer_->queued() == 3; }));
  std::thread last([&] { EXPECT_TRUE(writer_->write(insert("b"))); });
  leader.join();
  first.join();
  half_done.join();
  last.join();
  EXPECT_EQ(rows(), 3) << "leader, a and b are kept; the half-done insert is not";
  EXPECT_EQ(writer_->commits() - commits_before, 3u) << "the leader's batch, the batch of three, the count";
}

TEST_F(SqliteGroupCommit, PostedWriteIsAnsweredFromItsCommitWithoutWaiting) {
  std::mutex mutex;
  std::condition_variable answered;
  std::optional<Result<int>> outcome;
  bool hook_ran_first = false;
  std::atomic<bool> hook_ran{false};
  writer_->post_result<int>(
      [](Connection& connection) -> Result<int> {
        if (Status inserted = insert("posted")(connection); !inserted) return fail(inserted.error());
        return 42;
      },
      [&](const int&) { hook_ran = true; }, GroupCommitWriter::Sync::Full,
      [&](Result<int> value) {
        std::lock_guard lock(mutex);
        hook_ran_first = hook_ran.load();
        outcome.emplace(std::move(value));
        answered.notify_one();
      });
  std::unique_lock lock(mutex);
  ASSERT_TRUE(answered.wait_for(lock, 10s, [&] { return outcome.has_value(); })) << "never answered";
  ASSERT_TRUE(*outcome) << outcome->error().message;
  EXPECT_EQ(**outcome, 42);
  EXPECT_TRUE(hook_ran_first) << "after-commit hooks run before the answer";
  lock.unlock();
  EXPECT_EQ(rows(), 1);
}

TEST_F(SqliteGroupCommit, DrainWaitsForEveryPostedWriteAndItsAnswer) {
  std::atomic<int> answered{0};
  for (int i = 0; i < 50; ++i) {
    writer_->post(insert("v" + std::to_string(i)), {}, GroupCommitWriter::Sync::Full,
                  [&](Status status) {
                    EXPECT_TRUE(status);
                    ++answered;
                  });
  }
  writer_->drain();
  EXPECT_EQ(answered.load(), 50);
  EXPECT_EQ(writer_->queued(), 0u);
  EXPECT_EQ(rows(), 50);
}

TEST_F(SqliteGroupCommit, ABlockingWriteFromACompletionIsRefusedInsteadOfDeadlocking) {
  std::optional<Status> nested;
  writer_->post(insert("outer"), {}, GroupCommitWriter::Sync::Full, [&](Status) { nested = writer_->write(insert("inner")); });
  writer_->drain();
  ASSERT_TRUE(nested.has_value());
  ASSERT_FALSE(*nested);
  EXPECT_EQ(nested->error().kind, ErrorKind::Internal);
  EXPECT_EQ(rows(), 1);
}

}  // namespace
}  // namespace genq::sqlite
