#pragma once
// Time as the rest of genq sees it. A narrow interface so tests can move time
// forward and leases expire without waiting.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace genq {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Millis = std::chrono::milliseconds;

inline std::int64_t to_unix_ms(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint from_unix_ms(std::int64_t ms) { return TimePoint(Millis(ms)); }

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  }
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = from_unix_ms(1'700'000'000'000)) : now_ms_(to_unix_ms(start)) {}
  TimePoint now() const override { return from_unix_ms(now_ms_.load()); }
  void advance(Millis by) { now_ms_ += by.count(); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

// ISO 8601 UTC with milliseconds, e.g. 2026-01-15T10:30:00.000Z.
std::string to_iso8601(TimePoint t);
// An RFC 3339 time as clients send it: 2026-01-15T10:30:00Z, with optional fraction
// of a second (to the millisecond) and a Z or ±HH:MM offset; nullopt for anything else.
std::optional<TimePoint> parse_iso8601(std::string_view text);

}  // namespace genq
