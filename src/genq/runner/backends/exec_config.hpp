#pragma once
// The `backend` object of an exec model in the catalog, parsed and checked: which
// commands run a job, what they read and write, how progress and previews are found.
// The format is described at the top of exec_config.cpp and in
// docs/worker-backends.md. A value, immutable after parsing; thread-safe.
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "genq/catalog/catalog.hpp"
#include "genq/runner/child_process.hpp"
#include "genq/runner/backends/arg_template.hpp"
#include "genq/runner/backends/progress_pattern.hpp"

namespace genq::runner {

struct ExecStep {
  std::vector<ArgTemplate> argv;          // argv[0] is a literal program name
  std::optional<ArgTemplate> stdin_text;  // none: stdin is empty
};

enum class ProgressStream { Stdout, Stderr, Both };

struct ExecProgress {
  ProgressPattern pattern;
  ProgressStream stream = ProgressStream::Stderr;
  std::optional<ArgTemplate> total;  // counts up to this (e.g. "{frames}")
};

// Where a text or json task's result comes from.
enum class ResultSource { Stdout, File };

struct ExecConfig {
  std::vector<ExecStep> steps;                                // run in order; each must exit 0
  std::string output_name;                                    // {output}: a file in the work dir
  std::string content_type;                                   // of the output file
  ResultSource result = ResultSource::Stdout;                 // text/json tasks
  std::vector<std::pair<std::string, std::string>> files;     // written to the work dir first
  std::optional<ExecProgress> progress;
  std::string preview_name;                                   // a file in the work dir; empty = none
  std::chrono::seconds timeout{600};                          // the whole job, all steps
  // Each command's kernel limits ("limits": {"memory_mb", "cpu_s", "file_mb"}); CPU time
  // defaults to the timeout. Its environment: PATH, LANG=C.UTF-8, HOME and TMPDIR (the
  // work directory) and the entry's "env"; nothing else of the worker's.
  ToolLimits limits{.memory_bytes = 2048ull << 20, .cpu_seconds = 0, .file_bytes = 1024ull << 20};
  std::vector<std::pair<std::string, std::string>> env;

  // The program of each step (argv[0]), for the start-up check that they exist.
  std::vector<std::string> programs() const;
};

// Invalid with a message naming the bad key. Placeholders are checked against
// `model`'s parameters.
Result<ExecConfig> parse_exec_config(const boost::json::value& backend, const catalog::ModelSpec& model);

}  // namespace genq::runner
