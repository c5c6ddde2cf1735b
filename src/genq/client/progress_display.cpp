#include "genq/client/progress_display.hpp"

#include <algorithm>
#include <cmath>

namespace genq::client {
namespace {

constexpr int kBarWidth = 30;

std::string shown_status(const JobUpdate& update) {
  if (update.status == "in_progress") return "processing";
  if (update.status == "pending" && update.queue_position) {
    return "pending (" + std::to_string(*update.queue_position) + " ahead)";
  }
  return update.status;
}

}  // namespace

ProgressDisplay::ProgressDisplay(std::FILE* out, bool terminal) : out_(out), terminal_(terminal) {}

std::string ProgressDisplay::elapsed() const {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld", static_cast<long long>(seconds / 60),
                static_cast<long long>(seconds % 60));
  return text;
}

void ProgressDisplay::clear_line() {
  if (terminal_ && bar_drawn_) std::fputs("\r\033[K", out_);
}

void ProgressDisplay::update(const JobUpdate& update) {
  const std::string status = shown_status(update);
  const double progress = std::clamp(update.progress, 0.0, 100.0);
  if (terminal_) {
    const int filled = static_cast<int>(std::lround(progress / 100.0 * kBarWidth));
    std::string bar;
    for (int i = 0; i < kBarWidth; ++i) bar += i < filled ? "█" : "░";
    clear_line();
    std::fprintf(out_, "%-24s %s %5.1f%%  %s", status.c_str(), bar.c_str(), progress, elapsed().c_str());
    std::fflush(out_);
    bar_drawn_ = true;
    return;
  }
  const int decile = static_cast<int>(progress / 10.0);
  if (status == last_status_ && decile == last_decile_) return;
  last_status_ = status;
  last_decile_ = decile;
  std::fprintf(out_, "[%s] %s %.0f%%\n", elapsed().c_str(), status.c_str(), progress);
  std::fflush(out_);
}

void ProgressDisplay::note(const std::string& text) {
  clear_line();
  bar_drawn_ = false;
  std::fprintf(out_, "%s\n", text.c_str());
  std::fflush(out_);
}

void ProgressDisplay::finish() {
  if (terminal_ && bar_drawn_) std::fputs("\n", out_);
  bar_drawn_ = false;
  std::fflush(out_);
}

}  // namespace genq::client
