#pragma once
// Runs one command-line tool to its end under supervision: feeds it a short text on
// stdin, collects stdout (bounded) and the tail of stderr, hands each output line to
// a callback (progress parsing), calls a tick callback about every 100 ms (preview
// polling), and kills the tool's whole process group when the job is cancelled, its
// lease is lost (both through `cancelled`) or the deadline passes. A tool's helpers
// that outlive it are killed too. Blocks the calling thread; thread-safe (no shared
// state).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/error.hpp"
#include "genq/runner/child_process.hpp"

namespace genq::runner {

struct CommandSpec {
  std::vector<std::string> argv;          // argv[0] on PATH unless it has a slash; no shell
  std::optional<std::string> stdin_text;  // none: stdin is closed at once
  std::filesystem::path cwd;              // empty: the worker's own
  std::size_t max_stdout_bytes = 1u << 20;
  ToolLimits limits;
  std::optional<std::vector<std::string>> environment;  // none: the worker's own
};

enum class OutputStream { Stdout, Stderr };

struct CommandWatch {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* cancelled = nullptr;
  std::function<void(OutputStream, std::string_view line)> on_line;  // optional
  std::function<void()> on_tick;                                     // optional
};

enum class CommandEnd { Exited, TimedOut, Cancelled };

struct CommandOutcome {
  CommandEnd end = CommandEnd::Exited;
  int exit_code = 0;  // 128 + signal when a signal ended it (ours included)
  std::string stdout_text;
  bool stdout_truncated = false;
  std::string stderr_tail;  // OutputTail::text()
};

// Unavailable when the tool cannot be started; Invalid when stdin_text is larger
// than a pipe holds (the tool might never read it, and the deadline must still work).
Result<CommandOutcome> run_supervised(const CommandSpec& spec, const CommandWatch& watch);

}  // namespace genq::runner
