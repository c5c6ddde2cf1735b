#include "support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>

#include "support/wait.hpp"

extern char** environ;

namespace genq::testing {
namespace {

// Keeps the tail of a child's output in failure messages short enough to read.
constexpr std::size_t kDescribeTail = 4000;

std::vector<std::string> merged_environment(const EnvVars& extra) {
  std::map<std::string, std::string> vars;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const auto eq = text.find('=');
    if (eq != std::string::npos) {
      vars[text.substr(0, eq)] = text.substr(eq + 1);
    }
  }
  for (const auto& [name, value] : extra) {
    vars[name] = value;
  }
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [name, value] : vars) {
    out.push_back(name + "=" + value);
  }
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

int decode_wait_status(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, const EnvVars& extra_env)
    : argv_(std::move(argv)) {
  if (argv_.empty()) {
    throw std::invalid_argument("ChildProcess: empty argv");
  }
  int out_pipe[2];
  int err_pipe[2];
  // O_CLOEXEC: children spawned concurrently by other tests must not inherit our
  // pipe ends, or EOF would never come. dup2 onto 1 and 2 clears the flag there.
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);

  // A test runner may ignore SIGPIPE or block signals; the child gets the defaults
  // so SIGTERM means what it means in production.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGHUP);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  sigset_t empty_mask;
  sigemptyset(&empty_mask);
  posix_spawnattr_setsigmask(&attributes, &empty_mask);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> argv_copy = argv_;
  std::vector<std::string> env = merged_environment(extra_env);
  std::vector<char*> c_argv = c_strings(argv_copy);
  std::vector<char*> c_env = c_strings(env);
  const int rc =
      ::posix_spawnp(&pid_, c_argv[0], &actions, &attributes, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    throw std::runtime_error("cannot start " + argv_[0] + ": " + std::strerror(rc));
  }
  reader_ = std::thread([this, out = out_pipe[0], err = err_pipe[0]] { read_loop(out, err); });
}

ChildProcess::~ChildProcess() {
  {
    std::unique_lock lock(mutex_);
    if (!exit_code_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      exit_code_ = decode_wait_status(status);
    }
    // The reader drains what is already buffered, then stops even if a grandchild
    // still holds the pipes open.
    stop_reading_ = true;
  }
  if (reader_.joinable()) {
    reader_.join();
  }
}

void ChildProcess::read_loop(int out_fd, int err_fd) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_count = 2;
  char buffer[8192];
  while (open_count > 0) {
    const int ready = ::poll(fds, 2, 50);
    if (ready < 0 && errno == EINTR) {
      continue;
    }
    if (ready <= 0) {
      std::lock_guard lock(mutex_);
      if (stop_reading_) {
        break;
      }
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        continue;
      }
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      std::lock_guard lock(mutex_);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      } else {
        (i == 0 ? stdout_ : stderr_).append(buffer, static_cast<std::size_t>(n));
        combined_.append(buffer, static_cast<std::size_t>(n));
      }
      output_changed_.notify_all();
    }
  }
  for (const auto& fd : fds) {
    if (fd.fd >= 0) {
      ::close(fd.fd);
    }
  }
  std::lock_guard lock(mutex_);
  streams_closed_ = true;
  output_changed_.notify_all();
}

bool ChildProcess::wait_for_output(std::string_view needle,
                                   std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return output_changed_.wait_for(lock, timeout, [&] {
    return stdout_.find(needle) != std::string::npos ||
           stderr_.find(needle) != std::string::npos || streams_closed_;
  }) && (stdout_.find(needle) != std::string::npos || stderr_.find(needle) != std::string::npos);
}

bool ChildProcess::wait_for_stdout(std::string_view needle,
                                   std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return output_changed_.wait_for(lock, timeout, [&] {
    return stdout_.find(needle) != std::string::npos || streams_closed_;
  }) && stdout_.find(needle) != std::string::npos;
}

bool ChildProcess::wait_output_closed(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return output_changed_.wait_for(lock, timeout, [&] { return streams_closed_; });
}

std::string ChildProcess::stdout_text() const {
  std::lock_guard lock(mutex_);
  return stdout_;
}

std::string ChildProcess::stderr_text() const {
  std::lock_guard lock(mutex_);
  return stderr_;
}

std::string ChildProcess::output() const {
  std::lock_guard lock(mutex_);
  return combined_;
}

void ChildProcess::kill(int signal) {
  std::lock_guard lock(mutex_);
  if (!exit_code_) {
    ::kill(pid_, signal);
  }
}

bool ChildProcess::try_reap_locked() {
  if (exit_code_) {
    return true;
  }
  int status = 0;
  const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
  if (reaped == pid_) {
    exit_code_ = decode_wait_status(status);
    return true;
  }
  return false;
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  wait_until(timeout, [&] {
    std::lock_guard lock(mutex_);
    return try_reap_locked();
  });
  std::lock_guard lock(mutex_);
  return exit_code_;
}

bool ChildProcess::running() {
  std::lock_guard lock(mutex_);
  return !try_reap_locked();
}

std::string ChildProcess::describe() const {
  std::string text;
  for (const auto& arg : argv_) {
    text += (text.empty() ? "" : " ") + arg;
  }
  std::lock_guard lock(mutex_);
  text += " (pid " + std::to_string(pid_) + ")";
  if (exit_code_) {
    text += " exited with " + std::to_string(*exit_code_);
  }
  const std::string tail = combined_.size() > kDescribeTail
                               ? "…" + combined_.substr(combined_.size() - kDescribeTail)
                               : combined_;
  text += "\n--- output ---\n" + tail;
  return text;
}

CommandResult run_command(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                          const EnvVars& extra_env) {
  ChildProcess child(std::move(argv), extra_env);
  const auto code = child.wait_exit(timeout);
  if (!code) {
    const std::string what = child.describe();
    child.kill(SIGKILL);
    throw std::runtime_error("command still running after timeout: " + what);
  }
  // Exited: its pipes close with it, so the reader finishes promptly.
  child.wait_output_closed(std::chrono::seconds(5));
  return {*code, child.stdout_text(), child.stderr_text()};
}

}  // namespace genq::testing
