#pragma once
// The last few bytes a child process wrote to a stream: what a failed tool said just
// before it exited, for the job's error message. A value; not thread-safe.
#include <cstddef>
#include <string>
#include <string_view>

namespace genq::runner {

class OutputTail {
 public:
  // 2 KiB holds a tool's last error lines and stays readable as a job's `error`
  // (the protocol caps it at 2000 characters after the prefix we add).
  static constexpr std::size_t kDefaultBytes = 1900;

  explicit OutputTail(std::size_t limit = kDefaultBytes) : limit_(limit) {}

  void append(std::string_view bytes) {
    if (bytes.size() >= limit_) {
      text_.assign(bytes.substr(bytes.size() - limit_));
      truncated_ = true;
      return;
    }
    text_.append(bytes);
    // Trim in bulk (at twice the limit) so appending stays linear.
    if (text_.size() > 2 * limit_) {
      text_.erase(0, text_.size() - limit_);
      truncated_ = true;
    }
  }

  // The tail, trimmed of surrounding blank space; starts with "…" when bytes were
  // dropped before it.
  std::string text() const {
    std::string_view view(text_);
    if (view.size() > limit_) {
      view.remove_prefix(view.size() - limit_);
    }
    const bool cut = truncated_ || text_.size() > limit_;
    while (!view.empty() && is_blank(view.front())) {
      view.remove_prefix(1);
    }
    while (!view.empty() && is_blank(view.back())) {
      view.remove_suffix(1);
    }
    return (cut && !view.empty() ? "…" : "") + std::string(view);
  }

 private:
  static bool is_blank(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

  std::size_t limit_;
  std::string text_;
  bool truncated_ = false;
};

}  // namespace genq::runner
