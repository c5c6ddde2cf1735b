#include "support/wait.hpp"

#include <algorithm>
#include <thread>

namespace genq::testing {

bool wait_until(std::chrono::milliseconds timeout, const std::function<bool()>& condition) {
  using namespace std::chrono_literals;
  const auto end = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (true) {
    if (condition()) {
      return true;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= end) {
      return false;
    }
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(pause, end - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

std::chrono::milliseconds Deadline::remaining() const {
  const auto left = end_ - std::chrono::steady_clock::now();
  return std::max(std::chrono::milliseconds(0),
                  std::chrono::duration_cast<std::chrono::milliseconds>(left));
}

}  // namespace genq::testing
