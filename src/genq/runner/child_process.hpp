#pragma once
// A child process started with argv (no shell) and fed through a pipe on its stdin:
// how the worker drives encoders like ffmpeg. The child gets its own process group
// (a terminal's Ctrl-C is the worker's to handle, not the encoder's) and default
// signal handling; stdout goes to /dev/null and stderr to a log file. Owned by one
// thread; the destructor kills and reaps a child still running.
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/error.hpp"

namespace genq::runner {

class ChildProcess {
 public:
  // argv[0] is looked up on PATH unless it contains a slash. Unavailable when the
  // program cannot be started (e.g. not installed).
  static Result<std::unique_ptr<ChildProcess>> spawn(const std::vector<std::string>& argv,
                                                     const std::filesystem::path& stderr_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Writes all of `bytes` to the child's stdin. Internal when the child stopped
  // reading (it exited); never raises SIGPIPE.
  Status write(std::string_view bytes);
  // Sends end-of-file.
  void close_stdin();
  // Waits for the child to exit; returns its exit code, or 128 + signal number.
  int wait();
  // SIGKILL to the child's group, then wait().
  void kill();

 private:
  ChildProcess(pid_t pid, int stdin_fd) : pid_(pid), stdin_fd_(stdin_fd) {}

  pid_t pid_;
  int stdin_fd_;
  bool reaped_ = false;
  int exit_code_ = 0;
};

}  // namespace genq::runner
