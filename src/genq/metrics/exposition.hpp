#pragma once
// Writes the Prometheus text exposition format (version 0.0.4): a family's HELP and
// TYPE lines, then its samples. Label sets are given already rendered (`a="x",b="y"`,
// built with label()), so callers that render the same set often can keep it.
#include <string>
#include <string_view>

#include "genq/metrics/histogram.hpp"

namespace genq {

class Exposition {
 public:
  // Starts a family. `type`: "counter", "gauge" or "histogram".
  void family(std::string_view name, std::string_view help, std::string_view type);
  // One sample of the current family; `labels` empty for none.
  void sample(std::string_view name, std::string_view labels, double value);
  // A histogram's series: NAME_bucket{…,le="…"} (cumulative, ending with +Inf),
  // NAME_sum and NAME_count.
  void histogram(std::string_view name, std::string_view labels, const Histogram::Snapshot& snapshot);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// `key="value"` with the value escaped as the format wants (\\, \", \n).
std::string label(std::string_view key, std::string_view value);
// A number as Prometheus reads it: integers without a fraction, +Inf, NaN.
std::string prometheus_number(double value);

}  // namespace genq
