#pragma once
// An allocator for an operation that stays pending for a connection's whole idle life:
// its read wait. Asio's default allocator recycles: a new operation takes the block
// its thread freed last when it is big enough, so the wait of an idle connection sat
// in a block sized for the write before it (the connection_established write, ~520
// bytes, where the wait needs ~170). Bound to the wait with bind_allocator, this one
// allocates exactly what the operation needs; short-lived operations keep the faster
// recycling allocator.
#include <cstddef>
#include <memory>

namespace genq::ws {

template <class T>
struct ExactSizeAllocator {
  using value_type = T;

  ExactSizeAllocator() noexcept = default;
  template <class U>
  ExactSizeAllocator(const ExactSizeAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept { std::allocator<T>().deallocate(p, n); }

  template <class U>
  bool operator==(const ExactSizeAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace genq::ws
