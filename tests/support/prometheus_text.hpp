#pragma once
// A strict reader of the Prometheus text exposition format (version 0.0.4) for tests:
// it parses what /metrics answers and lists every way the text breaks the format or
// genq's conventions, rather than skipping what it does not understand:
//   - every family has one HELP and one TYPE line, both before its samples, and its
//     samples are contiguous; TYPE is counter, gauge or histogram;
//   - metric and label names are valid, label values escape only \\ \" \n, a label
//     set names each label once, and no series (name + label set) appears twice;
//   - counters end in _total and never go below zero;
//   - a histogram has, per label set, _bucket series with strictly increasing `le`
//     ending at +Inf, cumulative (non-decreasing) counts, and _sum and _count, the
//     count equal to the +Inf bucket.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace genq::testing {

struct PromSample {
  std::string name;  // as written: NAME, NAME_bucket, NAME_sum, NAME_count
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string name, help, type;
  std::vector<PromSample> samples;

  // Samples named `name` whose labels include every one of `labels`.
  std::vector<const PromSample*> find(std::string_view sample_name,
                                      const std::map<std::string, std::string>& labels = {}) const;
  // The one sample so named and labelled, if exactly one matches.
  std::optional<double> value(std::string_view sample_name,
                              const std::map<std::string, std::string>& labels = {}) const;
};

struct PromText {
  std::map<std::string, PromFamily> families;
  std::vector<std::string> errors;  // empty when the text is valid

  const PromFamily* family(std::string_view name) const;
  // "line N: why" for each error, one a line (for test failure messages).
  std::string describe_errors() const;
};

PromText parse_prometheus_text(std::string_view text);

}  // namespace genq::testing
