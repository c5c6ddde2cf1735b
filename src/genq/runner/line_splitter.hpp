#pragma once
// Cuts a byte stream into lines at '\n' or '\r' (progress bars redraw one line with
// '\r'), whatever the chunking of reads. A line longer than the limit is handed on
// in pieces rather than growing without bound. A value; not thread-safe.
#include <cstddef>
#include <string>
#include <string_view>

namespace genq::runner {

class LineSplitter {
 public:
  static constexpr std::size_t kMaxLine = 4096;

  template <class OnLine>
  void feed(std::string_view bytes, OnLine&& on_line) {
    for (char c : bytes) {
      if (c == '\n' || c == '\r') {
        if (!partial_.empty()) {
          on_line(std::string_view(partial_));
          partial_.clear();
        }
        continue;
      }
      partial_.push_back(c);
      if (partial_.size() >= kMaxLine) {
        on_line(std::string_view(partial_));
        partial_.clear();
      }
    }
  }

  // The last line, when the stream ended without a line break.
  template <class OnLine>
  void finish(OnLine&& on_line) {
    if (!partial_.empty()) {
      on_line(std::string_view(partial_));
      partial_.clear();
    }
  }

 private:
  std::string partial_;
};

}  // namespace genq::runner
