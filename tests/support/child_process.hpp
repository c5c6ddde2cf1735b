#pragma once
// Runs a program as a child process and captures what it writes. The constructor
// spawns it (posix_spawnp, stdin from /dev/null); a reader thread collects stdout and
// stderr into buffers the test can wait on. The destructor SIGKILLs the child if it
// still runs and reaps it, so no test leaks processes even when an assertion fails
// half-way. Not copyable or movable (the reader thread points at it): hold it in a
// std::unique_ptr to pass it around. Methods are safe to call from any thread.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace genq::testing {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

class ChildProcess {
 public:
  // argv[0] is looked up in PATH when it has no slash. `extra_env` is added to this
  // process's environment, replacing variables of the same name. Throws when the
  // program cannot be started.
  explicit ChildProcess(std::vector<std::string> argv, const EnvVars& extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Waits until `needle` has appeared on stdout or stderr; false on timeout or when
  // the child closed both streams without writing it.
  bool wait_for_output(std::string_view needle, std::chrono::milliseconds timeout) const;
  // Like wait_for_output, stdout only.
  bool wait_for_stdout(std::string_view needle, std::chrono::milliseconds timeout) const;

  // Waits until the child (and anything it passed its stdout/stderr to) closed both
  // streams, i.e. all its output has been read.
  bool wait_output_closed(std::chrono::milliseconds timeout) const;

  std::string stdout_text() const;
  std::string stderr_text() const;
  // Both streams interleaved in the order they were read: for failure messages.
  std::string output() const;

  // Sends `signal` unless the child has already been reaped (its pid may be reused).
  void kill(int signal = SIGKILL);
  // Waits for the child to exit and reaps it. Returns its exit code, or 128 + signal
  // number when a signal ended it; nullopt when it still runs after `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running();

  // "genq serve --listen …" plus the last lines it printed; for assertion messages.
  std::string describe() const;

 private:
  void read_loop(int out_fd, int err_fd);
  // Requires: mutex_ held.
  bool try_reap_locked();

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  std::thread reader_;

  mutable std::mutex mutex_;
  mutable std::condition_variable output_changed_;
  std::string stdout_;      // GUARDED_BY(mutex_)
  std::string stderr_;      // GUARDED_BY(mutex_)
  std::string combined_;    // GUARDED_BY(mutex_)
  bool streams_closed_ = false;        // GUARDED_BY(mutex_)
  bool stop_reading_ = false;          // GUARDED_BY(mutex_)
  std::optional<int> exit_code_;       // GUARDED_BY(mutex_); set once reaped
};

// Result of run_command: the exit code (128 + signal if killed) and the output.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a command to completion; kills it and throws when it outlives `timeout`.
CommandResult run_command(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                          const EnvVars& extra_env = {});

}  // namespace genq::testing
