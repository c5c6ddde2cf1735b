#include "genq/runner/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "genq/runner/find_program.hpp"

extern char** environ;

namespace genq::runner {
namespace {

// Owns posix_spawn's attribute and file-action objects for one spawn.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

// Writes with SIGPIPE blocked in this thread only, and swallows the SIGPIPE a broken
// pipe raises, so a dying child cannot kill the worker (which may not ignore SIGPIPE).
bool write_without_sigpipe(int fd, std::string_view bytes, int& error) {
  sigset_t pipe_only, old_mask, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);
  bool ok = true;
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      error = errno;
      ok = false;
      break;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  if (!ok && error == EPIPE && !was_pending) {
    const timespec no_wait{0, 0};
    sigtimedwait(&pipe_only, nullptr, &no_wait);
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  return ok;
}

// A pipe whose ends are both close-on-exec: children started by other job threads at
// the same time must not inherit it, or this child would never see end-of-file.
struct Pipe {
  int read = -1;
  int write = -1;
  Status open() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
      return fail(Error::internal(std::string("pipe2: ") + std::strerror(errno)));
    }
    read = fds[0];
    write = fds[1];
    return {};
  }
  void close_all() {
    for (int* fd : {&read, &write}) {
      if (*fd >= 0) {
        ::close(*fd);
        *fd = -1;
      }
    }
  }
};

// posix_spawn cannot set resource limits for the child, and setting them from here
// once it runs races with the tool (a quick one is done before). So a limited tool is
// started through util-linux's prlimit(1), which sets them on itself and then execs the
// tool: in force from the tool's first instruction. The program is looked up first, so
// a missing one is still "cannot start", not prlimit's complaint.
Result<std::vector<std::string>> under_limits(const std::vector<std::string>& argv, const ToolLimits& limits) {
  if (limits.memory_bytes == 0 && limits.cpu_seconds == 0 && limits.file_bytes == 0) return argv;
  std::optional<std::filesystem::path> program = find_program(argv[0]);
  if (!program) return fail(Error::unavailable("cannot start " + argv[0] + ": " + std::strerror(ENOENT)));
  std::vector<std::string> wrapped = {"prlimit"};
  if (limits.memory_bytes) wrapped.push_back("--data=" + std::to_string(limits.memory_bytes));
  // The kernel sends SIGXCPU at the soft limit and SIGKILL at the hard one: a second
  // apart, the tool is reported as out of CPU time rather than killed.
  if (limits.cpu_seconds) {
    wrapped.push_back("--cpu=" + std::to_string(limits.cpu_seconds) + ":" + std::to_string(limits.cpu_seconds + 1));
  }
  if (limits.file_bytes) wrapped.push_back("--fsize=" + std::to_string(limits.file_bytes));
  wrapped.push_back("--");
  wrapped.push_back(program->string());
  wrapped.insert(wrapped.end(), argv.begin() + 1, argv.end());
  return wrapped;
}

}  // namespace

Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(const std::vector<std::string>& argv,
                                                          const std::filesystem::path& stderr_file) {
  SpawnOptions options;
  options.stderr_file = stderr_file;
  return spawn(argv, options);
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::spawn(const std::vector<std::string>& argv,
                                                          const SpawnOptions& options) {
  if (argv.empty()) {
    return fail(Error::invalid("no program to run"));
  }
  Result<std::vector<std::string>> command = under_limits(argv, options.limits);
  if (!command) return fail(command.error());
  Pipe in, out, err;
  Status opened = in.open();
  if (opened && options.pipe_stdout) {
    opened = out.open();
  }
  if (opened && options.pipe_stderr) {
    opened = err.open();
  }
  if (!opened) {
    in.close_all();
    out.close_all();
    err.close_all();
    return fail(opened.error());
  }
  SpawnSetup setup;
  posix_spawn_file_actions_adddup2(&setup.actions, in.read, STDIN_FILENO);  // dup2 clears CLOEXEC
  if (options.pipe_stdout) {
    posix_spawn_file_actions_adddup2(&setup.actions, out.write, STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  }
  if (options.pipe_stderr) {
    posix_spawn_file_actions_adddup2(&setup.actions, err.write, STDERR_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&setup.actions, STDERR_FILENO,
                                     options.stderr_file.empty() ? "/dev/null" : options.stderr_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  if (!options.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&setup.actions, options.cwd.c_str());
  }
  sigset_t no_signals, defaults;
  sigemptyset(&no_signals);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigmask(&setup.attr, &no_signals);  // the worker blocks SIGINT/SIGTERM
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> args;
  for (const auto& arg : *command) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = 0;
  std::vector<char*> env;
  if (options.environment) {
    for (const auto& entry : *options.environment) env.push_back(const_cast<char*>(entry.c_str()));
    env.push_back(nullptr);
  }
  const int rc = posix_spawnp(&pid, command->front().c_str(), &setup.actions, &setup.attr, args.data(),
                              options.environment ? env.data() : environ);
  // The child's ends belong to the child now.
  for (int* fd : {&in.read, &out.write, &err.write}) {
    if (*fd >= 0) {
      ::close(*fd);
      *fd = -1;
    }
  }
  if (rc != 0) {
    in.close_all();
    out.close_all();
    err.close_all();
    return fail(Error::unavailable("cannot start " + argv[0] + ": " + std::strerror(rc)));
  }
  for (int fd : {out.read, err.read}) {
    if (fd >= 0) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, in.write, out.read, err.read));
}

ChildProcess::~ChildProcess() {
  if (!reaped_) {
    kill();
  }
  close_stdin();
  for (int fd : {stdout_fd_, stderr_fd_}) {
    if (fd >= 0) {
      ::close(fd);
    }
  }
}

Status ChildProcess::write(std::string_view bytes) {
  if (stdin_fd_ < 0) {
    return fail(Error::internal("stdin already closed"));
  }
  int error = 0;
  if (!write_without_sigpipe(stdin_fd_, bytes, error)) {
    return fail(Error::internal(error == EPIPE ? std::string("the child process exited early")
                                               : std::string("writing to the child: ") + std::strerror(error)));
  }
  return {};
}

void ChildProcess::close_stdin() {
  if (stdin_fd_ >= 0) {
    ::close(stdin_fd_);
    stdin_fd_ = -1;
  }
}

bool ChildProcess::exited() {
  if (reaped_) {
    return true;
  }
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    return errno == ECHILD;
  }
  return info.si_pid == pid_;
}

int ChildProcess::wait() {
  if (reaped_) {
    return exit_code_;
  }
  close_stdin();
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  // The leader is a zombie now, so its group id is still ours alone: sweep helpers it
  // left behind (a tool's own children) before reaping it frees the id.
  ::kill(-pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) {
      status = 0;
      break;
    }
  }
  reaped_ = true;
  exit_code_ = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  return exit_code_;
}

void ChildProcess::kill() {
  if (!reaped_) {
    ::kill(-pid_, SIGKILL);  // the group: an encoder's own helpers go too
    wait();
  }
}

}  // namespace genq::runner
