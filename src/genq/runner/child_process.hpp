#pragma once
// A child process started with argv (no shell) and fed through a pipe on its stdin:
// how the worker drives encoders like ffmpeg and the command-line tools of exec
// models. The child gets its own process group (a terminal's Ctrl-C is the worker's
// to handle, not the tool's; and killing the group takes the tool's own helpers too)
// and default signal handling. stdout goes to /dev/null or a pipe, stderr to a log
// file or a pipe. Owned by one thread; the destructor kills the group and reaps a
// child still running.
#include <sys/types.h>

#include <cstdint>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/error.hpp"

namespace genq::runner {

// Kernel limits for a tool (set by prlimit(1) before it starts); 0 = none. A tool past one is stopped by the
// kernel: memory allocations fail, SIGXCPU, SIGXFSZ.
struct ToolLimits {
  std::uint64_t memory_bytes = 0;  // RLIMIT_DATA: private writable memory, not address-space reservations
  std::uint64_t cpu_seconds = 0;   // RLIMIT_CPU
  std::uint64_t file_bytes = 0;    // RLIMIT_FSIZE: the largest file it may write
};

struct SpawnOptions {
  std::filesystem::path stderr_file;  // stderr is written here (truncated) unless pipe_stderr
  bool pipe_stdout = false;           // else /dev/null
  bool pipe_stderr = false;
  std::filesystem::path cwd;          // empty: the worker's own
  ToolLimits limits;
  // "NAME=value" entries; none: the worker's own environment.
  std::optional<std::vector<std::string>> environment;
};

class ChildProcess {
 public:
  // argv[0] is looked up on PATH unless it contains a slash. Unavailable when the
  // program cannot be started (e.g. not installed).
  static Result<std::unique_ptr<ChildProcess>> spawn(const std::vector<std::string>& argv,
                                                     const std::filesystem::path& stderr_file);
  static Result<std::unique_ptr<ChildProcess>> spawn(const std::vector<std::string>& argv,
                                                     const SpawnOptions& options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Read ends of the pipes (non-blocking, close-on-exec); -1 when not piped.
  int stdout_fd() const { return stdout_fd_; }
  int stderr_fd() const { return stderr_fd_; }

  // Writes all of `bytes` to the child's stdin. Internal when the child stopped
  // reading (it exited); never raises SIGPIPE.
  Status write(std::string_view bytes);
  // Sends end-of-file.
  void close_stdin();
  // Whether the child has exited, without waiting and without reaping it: while it
  // is an unreaped zombie its pid cannot be reused, so its group can still be killed.
  bool exited();
  // Waits for the child to exit; returns its exit code, or 128 + signal number.
  // Then SIGKILLs what is left of its group (helpers that outlived it).
  int wait();
  // SIGKILL to the child's group, then wait().
  void kill();

 private:
  ChildProcess(pid_t pid, int stdin_fd, int stdout_fd, int stderr_fd)
      : pid_(pid), stdin_fd_(stdin_fd), stdout_fd_(stdout_fd), stderr_fd_(stderr_fd) {}

  pid_t pid_;
  int stdin_fd_;
  int stdout_fd_;
  int stderr_fd_;
  bool reaped_ = false;
  int exit_code_ = 0;
};

}  // namespace genq::runner
