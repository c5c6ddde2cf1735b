#pragma once
// Counts per HTTP status code without a lock: a handful of slots, each claimed by
// one code with a compare-and-swap the first time it is seen. A route answers few
// distinct codes; past the slots, the rest count under code 0 ("other").
#include <array>
#include <atomic>
#include <cstdint>
#include <utility>
#include <vector>

namespace genq {

class StatusCounters {
 public:
  void add(unsigned status) {
    for (Slot& slot : slots_) {
      unsigned code = slot.code.load(std::memory_order_acquire);
      if (code == 0 && slot.code.compare_exchange_strong(code, status, std::memory_order_acq_rel)) code = status;
      if (code == status) {
        slot.count.fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
    other_.fetch_add(1, std::memory_order_relaxed);
  }

  // (code, count) of every code seen; code 0 collects what did not fit.
  std::vector<std::pair<unsigned, std::uint64_t>> counts() const {
    std::vector<std::pair<unsigned, std::uint64_t>> out;
    for (const Slot& slot : slots_) {
      const unsigned code = slot.code.load(std::memory_order_acquire);
      if (code != 0) out.emplace_back(code, slot.count.load(std::memory_order_relaxed));
    }
    if (const auto n = other_.load(std::memory_order_relaxed)) out.emplace_back(0, n);
    return out;
  }

 private:
  struct Slot {
    std::atomic<unsigned> code{0};
    std::atomic<std::uint64_t> count{0};
  };
  std::array<Slot, 12> slots_;
  std::atomic<std::uint64_t> other_{0};
};

}  // namespace genq
