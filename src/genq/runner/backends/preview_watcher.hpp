#pragma once
// Watches a file a tool rewrites while it works (a preview frame) and turns each new
// version into a small JPEG for the job's progress report. A file caught half-written
// fails to decode and is skipped: the next change is tried again. Owned by one job's
// thread; not thread-safe.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace genq::runner {

class PreviewWatcher {
 public:
  explicit PreviewWatcher(std::filesystem::path file) : file_(std::move(file)) {}

  // JPEG bytes (long side at most 512 px) when the file changed since the last call
  // and the last preview is at least `min_interval` old; nullopt otherwise.
  std::optional<std::string> poll(std::chrono::milliseconds min_interval = std::chrono::milliseconds(500));

 private:
  std::filesystem::path file_;
  std::filesystem::file_time_type seen_time_{};
  std::uintmax_t seen_size_ = 0;
  std::chrono::steady_clock::time_point last_sent_{};
};

}  // namespace genq::runner
