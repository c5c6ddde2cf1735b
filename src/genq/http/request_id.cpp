#include "genq/http/request_id.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>

#include <random>

namespace genq::http {
namespace {

bool usable(std::string_view id) {
  constexpr std::string_view kAllowed = "-_.:/+=";
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kAllowed.find(c) != std::string_view::npos;
  });
}

const std::string& process_prefix() {
  static const std::string prefix = [] {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(std::random_device{}()));
    return std::string(hex);
  }();
  return prefix;
}

}  // namespace

std::string request_id_for(std::string_view offered) {
  if (usable(offered)) return std::string(offered);
  static std::atomic<std::uint64_t> next{0};
  char counter[24];
  std::snprintf(counter, sizeof counter, "-%08llx",
                static_cast<unsigned long long>(next.fetch_add(1, std::memory_order_relaxed)));
  return process_prefix() + counter;
}

}  // namespace genq::http
