#include "genq/webhook/host_rate_limit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace genq::webhook {

double HostRateLimit::burst() const { return std::max(1.0, per_second_); }

double HostRateLimit::tokens_at(const Bucket& bucket, TimePoint now) const {
  const double elapsed_s = std::max<double>(0, static_cast<double>((now - bucket.updated).count()) / 1000.0);
  return std::min(burst(), bucket.tokens + elapsed_s * per_second_);
}

std::size_t HostRateLimit::available(const std::string& host, TimePoint now) {
  if (!limited()) return SIZE_MAX;
  auto it = buckets_.find(host);
  return static_cast<std::size_t>(std::floor(it == buckets_.end() ? burst() : tokens_at(it->second, now)));
}

void HostRateLimit::spend(const std::string& host, std::size_t count, TimePoint now) {
  if (!limited() || count == 0) return;
  auto [it, created] = buckets_.try_emplace(host, Bucket{burst(), now});
  Bucket& bucket = it->second;
  bucket.tokens = std::max(0.0, tokens_at(bucket, now) - static_cast<double>(count));
  bucket.updated = now;
}

TimePoint HostRateLimit::next_send(const std::string& host, TimePoint now) const {
  auto it = buckets_.find(host);
  if (!limited() || it == buckets_.end()) return now;
  const double tokens = tokens_at(it->second, now);
  if (tokens >= 1) return now;
  // Rounded up: a wake-up a millisecond early would find no token and sleep again.
  return now + Millis(static_cast<std::int64_t>(std::ceil((1 - tokens) / per_second_ * 1000.0)));
}

void HostRateLimit::forget_idle(TimePoint now) {
  std::erase_if(buckets_, [&](const auto& entry) { return tokens_at(entry.second, now) >= burst(); });
}

}  // namespace genq::webhook
