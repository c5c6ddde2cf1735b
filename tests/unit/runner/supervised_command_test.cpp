// The exec backend's process handling against real processes (sh, sleep): the
// timeout, cancellation killing the whole process group, stdout and the stderr tail.
#include <gtest/gtest.h>
#include <signal.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <future>

#include "genq/runner/supervised_command.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

namespace genq::runner {
namespace {

using namespace std::chrono_literals;

std::optional<pid_t> read_pid(const std::filesystem::path& file) {
  std::ifstream in(file);
  pid_t pid = 0;
  if (in >> pid && pid > 0) {
    return pid;
  }
  return std::nullopt;
}

// Gone, or a zombie waiting for an init that does not reap: either way not running.
bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) {
    return true;
  }
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_text, name, state;
  return !(stat >> pid_text >> name >> state) || state == "Z";
}

TEST(SupervisedCommand, CollectsStdoutAndFeedsStdin) {
  genq::testing::TempDir dir;
  CommandSpec spec{{"sh", "-c", "tr a-z A-Z"}, "hello tool", dir.path()};
  auto outcome = run_supervised(spec, {});
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->end, CommandEnd::Exited);
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(outcome->stdout_text, "HELLO TOOL");
}

TEST(SupervisedCommand, RunsInTheGivenDirectory) {
  genq::testing::TempDir dir;
  auto outcome = run_supervised({{"sh", "-c", "echo made > here.txt"}, std::nullopt, dir.path()}, {});
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "here.txt"));
}

TEST(SupervisedCommand, ExitCodeAndTheTailOfStderrComeBack) {
  genq::testing::TempDir dir;
  const std::string script = "i=0; while [ $i -lt 3000 ]; do echo \"noise line $i\" >&2; i=$((i+1)); done; "
                             "echo 'fatal: the real reason' >&2; exit 3";
  auto outcome = run_supervised({{"sh", "-c", script}, std::nullopt, dir.path()}, {});
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->exit_code, 3);
  EXPECT_TRUE(outcome->stderr_tail.ends_with("fatal: the real reason")) << outcome->stderr_tail;
  EXPECT_LE(outcome->stderr_tail.size(), 2048u) << "only the tail is kept";
  EXPECT_NE(outcome->stderr_tail.find("noise line 2999"), std::string::npos);
}

TEST(SupervisedCommand, LinesOfBothStreamsReachTheCallback) {
  genq::testing::TempDir dir;
  std::vector<std::string> seen;
  CommandWatch watch;
  watch.on_line = [&](OutputStream stream, std::string_view line) {
    seen.push_back((stream == OutputStream::Stdout ? "out:" : "err:") + std::string(line));
  };
  auto outcome =
      run_supervised({{"sh", "-c", "printf '10%%\\r20%%\\r' >&2; echo result; printf 'last'"}, std::nullopt, dir.path()},
                     watch);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_NE(std::find(seen.begin(), seen.end(), "err:10%"), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "err:20%"), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "out:result"), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), "out:last"), seen.end()) << "an unterminated last line counts";
}

TEST(SupervisedCommand, TheDeadlineKillsAHungTool) {
  genq::testing::TempDir dir;
  CommandWatch watch;
  watch.deadline = std::chrono::steady_clock::now() + 300ms;
  const auto started = std::chrono::steady_clock::now();
  auto outcome = run_supervised({{"sleep", "30"}, std::nullopt, dir.path()}, watch);
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->end, CommandEnd::TimedOut);
  EXPECT_EQ(outcome->exit_code, 128 + SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST(SupervisedCommand, CancellingKillsTheToolAndTheHelpersItStarted) {
  genq::testing::TempDir dir;
  std::atomic<bool> cancelled{false};
  CommandWatch watch;
  watch.cancelled = &cancelled;
  // The tool starts a helper of its own (a grandchild of the worker) and waits.
  const std::string script = "sleep 300 & echo $! > helper.pid; echo $$ > tool.pid; wait";
  auto running = std::async(std::launch::async, [&] {
    return run_supervised({{"sh", "-c", script}, std::nullopt, dir.path()}, watch);
  });
  ASSERT_TRUE(genq::testing::wait_until(10s, [&] {
    return read_pid(dir.path() / "helper.pid") && read_pid(dir.path() / "tool.pid");
  })) << "the tool never started its helper";
  const pid_t tool = *read_pid(dir.path() / "tool.pid");
  const pid_t helper = *read_pid(dir.path() / "helper.pid");
  ASSERT_FALSE(process_gone(helper));

  cancelled.store(true);
  ASSERT_EQ(running.wait_for(10s), std::future_status::ready) << "cancellation did not end the tool";
  auto outcome = running.get();
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->end, CommandEnd::Cancelled);
  EXPECT_TRUE(genq::testing::wait_until(5s, [&] { return process_gone(tool); })) << "tool " << tool << " still runs";
  EXPECT_TRUE(genq::testing::wait_until(5s, [&] { return process_gone(helper); }))
      << "helper " << helper << " outlived the cancelled tool";
}

TEST(SupervisedCommand, HelpersLeftBehindByAToolThatExitedAreKilledToo) {
  genq::testing::TempDir dir;
  auto outcome =
      run_supervised({{"sh", "-c", "sleep 300 & echo $! > helper.pid; exit 0"}, std::nullopt, dir.path()}, {});
  ASSERT_TRUE(outcome) << outcome.error().message;
  EXPECT_EQ(outcome->end, CommandEnd::Exited);
  const auto helper = read_pid(dir.path() / "helper.pid");
  ASSERT_TRUE(helper);
  EXPECT_TRUE(genq::testing::wait_until(5s, [&] { return process_gone(*helper); }))
      << "a helper outlived its tool";
}

TEST(SupervisedCommand, AMissingProgramIsUnavailable) {
  genq::testing::TempDir dir;
  auto outcome = run_supervised({{"genq-no-such-tool-anywhere"}, std::nullopt, dir.path()}, {});
  ASSERT_FALSE(outcome);
  EXPECT_EQ(outcome.error().kind, ErrorKind::Unavailable);
}

}  // namespace
}  // namespace genq::runner
