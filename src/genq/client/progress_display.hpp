#pragma once
// How `genq submit --wait` shows a job moving: on a terminal one line redrawn in place
// (state, a bar, percent, elapsed time); otherwise (a pipe, a log file, CI) a plain
// line per change of state and per 10 % of progress, so logs stay short and readable.
#include <chrono>
#include <cstdio>
#include <string>

#include "genq/client/job_follower.hpp"

namespace genq::client {

class ProgressDisplay {
 public:
  // Writes to `out` (stderr: stdout carries the request id and text results).
  ProgressDisplay(std::FILE* out, bool terminal);
  void update(const JobUpdate& update);
  // A line of its own (a notice), without breaking the bar.
  void note(const std::string& text);
  // Ends the bar's line.
  void finish();

 private:
  std::string elapsed() const;
  void clear_line();

  std::FILE* out_;
  bool terminal_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool bar_drawn_ = false;
  std::string last_status_;
  int last_decile_ = -1;
};

}  // namespace genq::client
