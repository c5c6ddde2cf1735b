#include <gtest/gtest.h>

#include <string>

#include "genq/runner/child_process.hpp"
#include "support/temp_dir.hpp"

namespace genq::runner {
namespace {

TEST(WorkerChildProcess, FeedsStdinAndReportsTheExitCode) {
  genq::testing::TempDir dir;
  auto child = ChildProcess::spawn({"cat"}, dir.path() / "stderr.log");
  ASSERT_TRUE(child) << child.error().message;
  ASSERT_TRUE((*child)->write("some bytes"));
  EXPECT_EQ((*child)->wait(), 0);
}

TEST(WorkerChildProcess, WritingToAnExitedChildIsAnErrorNotASignal) {
  genq::testing::TempDir dir;
  auto child = ChildProcess::spawn({"true"}, dir.path() / "stderr.log");
  ASSERT_TRUE(child) << child.error().message;
  const std::string block(1 << 20, 'x');  // more than a pipe buffer: must hit EPIPE
  Status written;
  for (int i = 0; i < 8 && written; i++) {
    written = (*child)->write(block);
  }
  EXPECT_FALSE(written) << "write to a dead child succeeded";
  EXPECT_EQ((*child)->wait(), 0);
}

TEST(WorkerChildProcess, MissingProgramIsUnavailable) {
  genq::testing::TempDir dir;
  auto child = ChildProcess::spawn({"/nonexistent/program"}, dir.path() / "stderr.log");
  ASSERT_FALSE(child);
  EXPECT_EQ(child.error().kind, ErrorKind::Unavailable);
}

}  // namespace
}  // namespace genq::runner
