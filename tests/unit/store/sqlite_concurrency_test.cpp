// SqliteStore under concurrent callers: claims never overlap, submits share commits,
// and every acknowledged submit is durable.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "unit/store/sqlite_store_fixture.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

class SqliteConcurrency : public SqliteStoreFixture {};

TEST_F(SqliteConcurrency, ConcurrentClaimsNeverShareAJob) {
  constexpr int kJobs = 240;
  constexpr int kThreads = 8;
  for (int i = 0; i < kJobs; ++i) {
    submit(new_job("job-" + std::to_string(i), i % 2 == 0 ? "A" : "B"));
  }

  std::mutex mutex;
  std::vector<std::string> claimed;  // guarded by mutex
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ClaimRequest request = claim_request({"A", "B"}, 1 + t % 3);
      request.worker_id = "wk_" + std::to_string(t);
      while (true) {
        Result<std::vector<Lease>> leases = store_->claim(request);
        if (!leases) {
          ++errors;
          return;
        }
        if (leases->empty()) {
          return;
        }
        std::lock_guard lock(mutex);
        for (const Lease& lease : *leases) {
          claimed.push_back(lease.job.id);
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }

  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(claimed.size(), static_cast<std::size_t>(kJobs));
  std::set<std::string> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(unique.size(), claimed.size()) << "some job was leased twice";
  Result<StatusCounts> counts = store_->count_by_status();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->processing, kJobs);
  EXPECT_EQ(counts->pending, 0);
}

TEST_F(SqliteConcurrency, ConcurrentSubmitsShareCommitsAndSurviveReopen) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  const std::uint64_t commits_before = store_->commits();
  const std::uint64_t writes_before = store_->writes();

  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!store_->submit(new_job("job-" + std::to_string(t) + "-" + std::to_string(i)))) {
          ++errors;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  ASSERT_EQ(errors.load(), 0);

  const std::uint64_t commits = store_->commits() - commits_before;
  const std::uint64_t writes = store_->writes() - writes_before;
  EXPECT_EQ(writes, static_cast<std::uint64_t>(kThreads * kPerThread));
  RecordProperty("commits", std::to_string(commits));
  RecordProperty("writes", std::to_string(writes));
  // While one batch commits, the other seven threads queue behind it, so batches
  // settle well above one write each. A factor of 2 leaves room for a loaded machine.
  EXPECT_LE(commits * 2, writes) << commits << " commits for " << writes << " writes";

  reopen();
  Result<StatusCounts> counts = store_->count_by_status();
  ASSERT_TRUE(counts) << counts.error().message;
  EXPECT_EQ(counts->pending, kThreads * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const std::string id = "job-" + std::to_string(t) + "-" + std::to_string(i);
      ASSERT_TRUE(store_->get(id)) << id << " lost after reopen";
    }
  }
}

TEST_F(SqliteConcurrency, ReadsProceedWhileWritersRun) {
  submit(new_job("seed"));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load() && i < 2000; ++i) {
      (void)store_->submit(new_job("w-" + std::to_string(i)));
    }
  });
  int reads = 0;
  for (; reads < 200; ++reads) {
    Result<Job> job = store_->get("seed");
    ASSERT_TRUE(job) << job.error().message;
    ASSERT_TRUE(store_->queue_position(*job));
  }
  stop = true;
  writer.join();
  EXPECT_EQ(reads, 200);
}

// kill -9 right after acknowledgements: every acknowledged submit is in the file.
TEST_F(SqliteConcurrency, AcknowledgedSubmitsSurviveKill9) {
  constexpr int kAcked = 50;
  store_.reset();  // sqlite connections must not cross fork()
  int acks[2];
  ASSERT_EQ(::pipe(acks), 0);

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(acks[0]);
    Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::open(options(), clock_);
    if (!opened) {
      ::_exit(2);
    }
    for (int i = 0;; ++i) {
      if (!(*opened)->submit(new_job("job-" + std::to_string(i)))) {
        ::_exit(3);
      }
      const char ack = 1;
      if (::write(acks[1], &ack, 1) != 1) {
        ::_exit(4);
      }
    }
  }

  ::close(acks[1]);
  int received = 0;
  char buffer[64];
  while (received < kAcked) {
    const ssize_t n = ::read(acks[0], buffer, std::min<std::size_t>(sizeof(buffer), kAcked - received));
    if (n <= 0) {
      break;
    }
    received += static_cast<int>(n);
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(acks[0]);
  ASSERT_EQ(received, kAcked) << "child stopped early, wait status " << status;

  reopen();
  for (int i = 0; i < kAcked; ++i) {
    EXPECT_TRUE(store_->get("job-" + std::to_string(i))) << "acknowledged job-" << i << " lost";
  }
}

}  // namespace
}  // namespace genq
