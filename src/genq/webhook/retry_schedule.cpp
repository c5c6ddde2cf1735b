#include "genq/webhook/retry_schedule.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <string>

namespace genq::webhook {
namespace {

Millis scaled(std::chrono::duration<double, std::milli> wait, double scale) {
  return Millis(static_cast<std::int64_t>(std::llround(std::max(0.0, wait.count() * scale))));
}

}  // namespace

Millis retry_delay(int retry, const RetryPolicy& policy, double unit_random) {
  const int index = std::clamp(retry, 1, kMaxRetries) - 1;
  const double factor = 1.0 + kJitter * (2.0 * std::clamp(unit_random, 0.0, 1.0) - 1.0);
  const std::chrono::duration<double, std::milli> base = kRetryDelays[static_cast<std::size_t>(index)];
  return scaled(base * factor, policy.scale);
}

NextStep next_step(int attempt, const AttemptResult& result, TimePoint now, const RetryPolicy& policy,
                   double unit_random) {
  if (result.http_status && *result.http_status >= 200 && *result.http_status < 300) {
    return {DeliveryState::Delivered, std::nullopt};
  }
  if (result.http_status == 410) {
    return {DeliveryState::Gone, std::nullopt};
  }
  if (attempt > kMaxRetries) {  // the first attempt plus kMaxRetries retries are spent
    return {DeliveryState::Failed, std::nullopt};
  }
  Millis wait = retry_delay(attempt, policy, unit_random);
  if (result.retry_after && (result.http_status == 429 || result.http_status == 503)) {
    const std::chrono::seconds asked = std::min<std::chrono::seconds>(*result.retry_after, kMaxRetryAfter);
    wait = std::max(wait, scaled(asked, policy.scale));
  }
  return {DeliveryState::Pending, now + wait};
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, TimePoint now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) {
    return std::nullopt;
  }
  std::int64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) {
    return seconds < 0 ? std::nullopt : std::optional<std::chrono::seconds>(std::chrono::seconds(seconds));
  }
  // IMF-fixdate, the only HTTP-date form senders may generate (RFC 9110 §5.6.7).
  std::tm tm{};
  const std::string text(value);
  const char* parsed = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (parsed == nullptr || *parsed != '\0') {
    return std::nullopt;
  }
  const std::int64_t at = static_cast<std::int64_t>(timegm(&tm));
  const std::int64_t delta = at - to_unix_ms(now) / 1000;
  return std::chrono::seconds(std::max<std::int64_t>(0, delta));
}

}  // namespace genq::webhook
