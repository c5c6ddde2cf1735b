#include "genq/runner/supervised_command.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

#include "genq/runner/child_process.hpp"
#include "genq/runner/line_splitter.hpp"
#include "genq/runner/output_tail.hpp"

namespace genq::runner {
namespace {

using namespace std::chrono_literals;

// Cancellation and the deadline are checked at least this often; also the tick period.
constexpr auto kTick = 100ms;
// Linux pipes hold 64 KiB: stdin text up to this is written without ever blocking.
constexpr std::size_t kMaxStdinBytes = 60u << 10;

// One piped stream of the child: its lines and, for stdout, its text.
struct StreamReader {
  OutputStream which;
  int fd;
  LineSplitter lines;
  bool open = true;
};

}  // namespace

Result<CommandOutcome> run_supervised(const CommandSpec& spec, const CommandWatch& watch) {
  if (spec.stdin_text && spec.stdin_text->size() > kMaxStdinBytes) {
    return fail(Error::invalid("the text for the tool's stdin is longer than 60 KiB"));
  }
  SpawnOptions options;
  options.pipe_stdout = true;
  options.pipe_stderr = true;
  options.cwd = spec.cwd;
  options.limits = spec.limits;
  options.environment = spec.environment;
  auto child = ChildProcess::spawn(spec.argv, options);
  if (!child) {
    return fail(child.error());
  }
  ChildProcess& process = **child;
  if (spec.stdin_text) {
    // An error here means the tool exited without reading; its exit code says why.
    (void)process.write(*spec.stdin_text);
  }
  process.close_stdin();

  CommandOutcome outcome;
  OutputTail stderr_tail;
  StreamReader readers[] = {{OutputStream::Stdout, process.stdout_fd(), {}},
                            {OutputStream::Stderr, process.stderr_fd(), {}}};
  const auto deliver = [&](StreamReader& reader, std::string_view bytes) {
    if (reader.which == OutputStream::Stdout) {
      const std::size_t room = spec.max_stdout_bytes - std::min(spec.max_stdout_bytes, outcome.stdout_text.size());
      outcome.stdout_text.append(bytes.substr(0, room));
      outcome.stdout_truncated = outcome.stdout_truncated || bytes.size() > room;
    } else {
      stderr_tail.append(bytes);
    }
    if (watch.on_line) {
      reader.lines.feed(bytes, [&](std::string_view line) { watch.on_line(reader.which, line); });
    }
  };
  // Reads what is there now; marks the stream closed at end-of-file.
  const auto drain = [&](StreamReader& reader) {
    char buffer[8192];
    while (reader.open) {
      const ssize_t n = ::read(reader.fd, buffer, sizeof(buffer));
      if (n > 0) {
        deliver(reader, std::string_view(buffer, static_cast<std::size_t>(n)));
        continue;
      }
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        reader.open = false;
      }
      break;
    }
  };

  auto next_tick = std::chrono::steady_clock::now() + kTick;
  while (true) {
    pollfd fds[2];
    nfds_t count = 0;
    StreamReader* polled[2];
    for (StreamReader& reader : readers) {
      if (reader.open) {
        fds[count] = {reader.fd, POLLIN, 0};
        polled[count++] = &reader;
      }
    }
    // With both streams closed there is nothing to poll: just wait for the tick.
    const int ready = ::poll(fds, count, static_cast<int>(kTick.count()));
    if (ready > 0) {
      for (nfds_t i = 0; i < count; i++) {
        if (fds[i].revents != 0) {
          drain(*polled[i]);
        }
      }
    }
    // Exit is judged by the tool itself, not by end-of-file: a helper it left behind
    // may hold the pipes open.
    if (process.exited()) {
      for (StreamReader& reader : readers) {
        drain(reader);
      }
      outcome.end = CommandEnd::Exited;
      break;
    }
    if (watch.cancelled != nullptr && watch.cancelled->load()) {
      outcome.end = CommandEnd::Cancelled;
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= watch.deadline) {
      outcome.end = CommandEnd::TimedOut;
      break;
    }
    if (now >= next_tick) {
      next_tick = now + kTick;
      if (watch.on_tick) {
        watch.on_tick();
      }
    }
  }
  if (outcome.end == CommandEnd::Exited) {
    outcome.exit_code = process.wait();  // also sweeps the group
  } else {
    process.kill();
    outcome.exit_code = process.wait();
  }
  for (StreamReader& reader : readers) {
    if (watch.on_line) {
      reader.lines.finish([&](std::string_view line) { watch.on_line(reader.which, line); });
    }
  }
  outcome.stderr_tail = stderr_tail.text();
  return outcome;
}

}  // namespace genq::runner
