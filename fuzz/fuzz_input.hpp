#pragma once
// Splits a fuzzer's input into the pieces a target needs: a leading byte or two of
// choices, then text. Every split is total: any input is some valid split.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace genq::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  // Up to `n` bytes from the front.
  std::string_view take(std::size_t n) {
    const std::string_view piece = rest_.substr(0, n);
    rest_.remove_prefix(piece.size());
    return piece;
  }
  // Text up to the next NUL byte (consumed), or all that is left.
  std::string_view field() {
    const auto end = rest_.find('\0');
    const std::string_view piece = rest_.substr(0, end);
    rest_.remove_prefix(end == std::string_view::npos ? rest_.size() : end + 1);
    return piece;
  }
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace genq::fuzz
