#include "genq/runner/backends/exec_backend.hpp"

#include <boost/json/parse.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "genq/runner/backends/job_values.hpp"
#include "genq/runner/backends/preview_watcher.hpp"
#include "genq/runner/supervised_command.hpp"

namespace genq::runner {
namespace {

// Progress is reported when it moved by at least this much: tools print often.
constexpr double kMinProgressStep = 0.5;
// A text result is inline in the job row: larger output is a misconfigured tool.
constexpr std::size_t kMaxTextResultBytes = 1u << 20;

// A tool sees nothing of the worker's environment (its token variables above all):
// PATH to find its helpers, a UTF-8 locale, the work directory as HOME and TMPDIR.
std::vector<std::string> base_environment(const std::filesystem::path& work_dir) {
  const char* path = std::getenv("PATH");
  return {std::string("PATH=") + (path ? path : "/usr/local/bin:/usr/bin:/bin"), "LANG=C.UTF-8",
          "HOME=" + work_dir.string(), "TMPDIR=" + work_dir.string()};
}

// The client's account of a tool that failed: which tool and how, without its output.
std::string exit_message(const std::string& program, int exit_code, const ToolLimits& limits) {
  if (exit_code == 128 + SIGXCPU) {
    return fmt::format("{} used up its CPU-time limit ({} s) and was stopped", program, limits.cpu_seconds);
  }
  if (exit_code == 128 + SIGXFSZ) {
    return fmt::format("{} tried to write a file over its size limit ({} MiB) and was stopped", program,
                       limits.file_bytes >> 20);
  }
  if (exit_code > 128) return fmt::format("{} was ended by signal {}", program, exit_code - 128);
  return fmt::format("{} exited with {}", program, exit_code);
}

Status write_text_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    return fail(Error::internal("cannot write " + file.filename().string() + " in the work directory"));
  }
  return {};
}

Result<std::string> read_text_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return fail(Error::internal("the tool wrote no " + file.filename().string()));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxTextResultBytes) {
    return fail(Error::internal("the tool's result is larger than 1 MiB"));
  }
  return text.str();
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) {
    text.pop_back();
  }
  const auto first = text.find_first_not_of(" \t\r\n");
  return first == std::string::npos ? std::string() : text.substr(first);
}

bool stream_wanted(ProgressStream wanted, OutputStream stream) {
  return wanted == ProgressStream::Both || (wanted == ProgressStream::Stdout) == (stream == OutputStream::Stdout);
}

bool is_file_output(catalog::OutputKind kind) {
  return kind == catalog::OutputKind::Image || kind == catalog::OutputKind::Audio ||
         kind == catalog::OutputKind::Video;
}

// Reports the job's progress over all steps; previews ride along with the latest
// percentage.
class StepProgress {
 public:
  StepProgress(ProgressSink& sink, std::size_t steps) : sink_(sink), steps_(static_cast<double>(steps)) {}
  void begin_step(std::size_t index) {
    step_ = static_cast<double>(index);
    report_overall(0);
  }
  void report_overall(double step_percent) {
    const double overall = (step_ + step_percent / 100) / steps_ * 100;
    if (overall >= last_ + kMinProgressStep || (overall > last_ && step_percent >= 100)) {
      last_ = overall;
      sink_.report(overall, {});
    }
  }
  void preview(std::string jpeg) { sink_.report(last_, std::move(jpeg)); }

 private:
  ProgressSink& sink_;
  double steps_;
  double step_ = 0;
  double last_ = 0;
};

}  // namespace

Result<Output> ExecBackend::run(const JobSpec& job, ProgressSink& progress, const std::atomic<bool>& cancelled) {
  const bool file_output = is_file_output(job.output);
  if (file_output && config_.output_name.empty()) {
    return fail(Error::invalid("model " + job.model + " has no \"output\" file configured for task " + job.task));
  }
  const auto output_file = job.work_dir / (config_.output_name.empty() ? "output" : config_.output_name);
  const JobValues values(job, output_file);
  for (const auto& [name, text] : config_.files) {
    if (auto written = write_text_file(job.work_dir / name, text); !written) {
      return fail(written.error());
    }
  }
  std::optional<double> total;
  if (config_.progress && config_.progress->total) {
    auto text = config_.progress->total->expand(values.lookup());
    double value = 0;
    if (text && std::from_chars(text->data(), text->data() + text->size(), value).ec == std::errc()) {
      total = value;
    }
  }
  std::optional<PreviewWatcher> preview;
  if (!config_.preview_name.empty()) {
    preview.emplace(job.work_dir / config_.preview_name);
  }

  const auto deadline = std::chrono::steady_clock::now() + config_.timeout;
  StepProgress step_progress(progress, config_.steps.size());
  std::string last_stdout;
  bool last_stdout_truncated = false;
  for (std::size_t i = 0; i < config_.steps.size(); i++) {
    const ExecStep& step = config_.steps[i];
    CommandSpec command;
    command.cwd = job.work_dir;
    command.limits = config_.limits;
    command.environment = base_environment(job.work_dir);
    for (const auto& [name, value] : config_.env) command.environment->push_back(name + "=" + value);
    for (const ArgTemplate& arg : step.argv) {
      auto expanded = arg.expand(values.lookup());
      if (!expanded) {
        return fail(expanded.error());
      }
      command.argv.push_back(std::move(*expanded));
    }
    if (step.stdin_text) {
      auto expanded = step.stdin_text->expand(values.lookup());
      if (!expanded) {
        return fail(expanded.error());
      }
      command.stdin_text = std::move(*expanded);
    }
    command.max_stdout_bytes = kMaxTextResultBytes;
    step_progress.begin_step(i);

    CommandWatch watch;
    watch.deadline = deadline;
    watch.cancelled = &cancelled;
    if (config_.progress) {
      watch.on_line = [&](OutputStream stream, std::string_view line) {
        if (stream_wanted(config_.progress->stream, stream)) {
          if (auto percent = config_.progress->pattern.percent(line, total)) {
            step_progress.report_overall(*percent);
          }
        }
      };
    }
    if (preview) {
      watch.on_tick = [&] {
        if (auto jpeg = preview->poll()) {
          step_progress.preview(std::move(*jpeg));
        }
      };
    }
    auto outcome = run_supervised(command, watch);
    if (!outcome) {
      return fail(outcome.error());
    }
    const std::string& program = command.argv.front();
    switch (outcome->end) {
      case CommandEnd::Cancelled:
        return fail(cancelled_error());
      case CommandEnd::TimedOut:
        return fail(Error::internal(fmt::format("{} did not finish within {} s (the job's timeout); stopped", program,
                                                config_.timeout.count())));
      case CommandEnd::Exited:
        break;
    }
    if (outcome->exit_code != 0) {
      // What the tool said may hold paths, addresses and other clients' file names: it
      // goes to the worker's log, and the client reads a plain account of the failure.
      const std::string said = outcome->stderr_tail.empty() ? trimmed(outcome->stdout_text) : outcome->stderr_tail;
      spdlog::warn("job {}: {} exited with {}: {}", job.job_id, program, outcome->exit_code, said);
      progress.note_failure_detail(fmt::format("{} exited with {}:\n{}", program, outcome->exit_code, said));
      return fail(Error::internal(exit_message(program, outcome->exit_code, config_.limits)));
    }
    step_progress.report_overall(100);
    last_stdout = std::move(outcome->stdout_text);
    last_stdout_truncated = outcome->stdout_truncated;
  }

  if (file_output) {
    std::error_code ec;
    if (std::filesystem::file_size(output_file, ec) == 0 || ec) {
      return fail(Error::internal("the tool wrote no output file (" + config_.output_name + ")"));
    }
    return Output{output_file, config_.content_type, std::nullopt};
  }
  std::string text = last_stdout;
  if (config_.result == ResultSource::Stdout && last_stdout_truncated) {
    return fail(Error::internal("the tool's result is larger than 1 MiB"));
  }
  if (config_.result == ResultSource::File) {
    auto read = read_text_file(output_file);
    if (!read) {
      return fail(read.error());
    }
    text = std::move(*read);
  }
  if (job.output == catalog::OutputKind::Json) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(text, ec);
    if (ec) {
      return fail(Error::internal("the tool's result is not JSON: " + ec.message()));
    }
    return Output{{}, {}, std::move(parsed)};
  }
  return Output{{}, {}, boost::json::value(boost::json::string(trimmed(std::move(text))))};
}

}  // namespace genq::runner
