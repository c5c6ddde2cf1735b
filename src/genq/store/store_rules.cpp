#include "genq/store/store_rules.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

#include "genq/crypto/crypto.hpp"
#include "genq/store/delivery_store.hpp"

namespace genq::store_rules {
namespace {

void collect_blob_keys(const boost::json::value& value, std::vector<std::string>& keys) {
  if (value.is_string()) {
    const boost::json::string& key = value.get_string();
    if (!key.empty()) {
      keys.emplace_back(key.data(), key.size());
    }
  } else if (value.is_array()) {
    for (const boost::json::value& element : value.get_array()) {
      collect_blob_keys(element, keys);
    }
  }
}

}  // namespace

std::string_view event_for(JobStatus status) {
  switch (status) {
    case JobStatus::Processing:
      return kEventProcessing;
    case JobStatus::Done:
      return kEventCompleted;
    case JobStatus::Error:
      return kEventFailed;
    case JobStatus::Pending:
    case JobStatus::InProgress:
      return {};
  }
  return {};
}

std::string host_key(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    return url;  // validated at submit, so not expected; the attempt will fail and say why
  }
  std::string host(parsed->encoded_host());
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string port(parsed->port());
  if (port.empty()) {
    port = parsed->scheme() == "http" ? "80" : "443";
  }
  return host + ":" + port;
}

bool job_reports_event(const Job& job, std::string_view event) {
  if (job.dialect == Dialect::Task && !job.webhook_url.empty() && event == kEventProcessing) {
    return false;
  }
  return accepts_event(job.webhook_events, event);
}

bool accepts_event(const std::string& events_json, std::string_view event) {
  if (events_json.empty() || events_json == "[]") {
    return true;  // the common case, without a parse
  }
  boost::system::error_code ec;
  boost::json::value events = boost::json::parse(events_json, ec);
  if (ec || !events.is_array() || events.get_array().empty()) {
    return true;
  }
  const boost::json::array& list = events.get_array();
  return std::any_of(list.begin(), list.end(),
                     [&](const boost::json::value& e) { return e.is_string() && e.get_string() == event; });
}

void collect_input_keys(const std::string& inputs_json, std::vector<std::string>& keys) {
  boost::system::error_code ec;
  boost::json::value inputs = boost::json::parse(inputs_json, ec);
  if (ec || !inputs.is_object()) {
    return;
  }
  for (const auto& field : inputs.get_object()) {
    collect_blob_keys(field.value(), keys);
  }
}

std::string to_json_array(const std::vector<std::string>& items) {
  boost::json::array array;
  array.reserve(items.size());
  for (const std::string& item : items) {
    array.emplace_back(item);
  }
  return boost::json::serialize(array);
}

Result<std::vector<std::string>> parse_json_array(const std::string& text, std::string_view what) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec || !value.is_array()) {
    return fail(Error::internal(std::string(what) + " is not a JSON array: " + text));
  }
  std::vector<std::string> items;
  for (const boost::json::value& item : value.get_array()) {
    if (!item.is_string()) {
      return fail(Error::internal(std::string(what) + " holds a non-string: " + text));
    }
    items.emplace_back(item.get_string().data(), item.get_string().size());
  }
  return items;
}

Status check_retryable(const Job& job) {
  if (job.status != JobStatus::Error) {
    return fail(Error::conflict("Only a request that ended in error can be retried."));
  }
  if (job.error == "cancelled") {
    return fail(Error::conflict("A cancelled request cannot be retried: its input files were removed. Submit it again."));
  }
  return {};
}

std::string lease_tag(std::string_view token_id) { return crypto::sha256_hex(token_id).substr(0, 12); }

std::string new_lease_id(std::string_view token_id) {
  return crypto::random_token("ls_" + lease_tag(token_id) + "_", 16);
}

bool lease_issued_to(std::string_view lease_id, std::string_view token_id) {
  const std::string prefix = "ls_" + lease_tag(token_id) + "_";
  return lease_id.size() > prefix.size() && crypto::constant_time_equal(lease_id.substr(0, prefix.size()), prefix);
}

std::string api_key_id(std::string_view key_hash) {
  return "key_" + std::string(key_hash.substr(0, kApiKeyIdDigits));
}

std::string api_key_hash_prefix(std::string_view key_id) {
  if (!key_id.starts_with("key_") || key_id.size() != 4 + kApiKeyIdDigits) return {};
  std::string_view digits = key_id.substr(4);
  const bool hex = std::all_of(digits.begin(), digits.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  return hex ? std::string(digits) : std::string();
}

TimePoint capped_lease(TimePoint wanted, const std::optional<TimePoint>& run_deadline) {
  return run_deadline ? std::min(wanted, *run_deadline) : wanted;
}

std::optional<std::int64_t> start_deadline_ms(Millis cancel_after, TimePoint now) {
  if (cancel_after.count() <= 0) return std::nullopt;
  return to_unix_ms(now + cancel_after);
}

bool could_name_a_job(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

Result<bool> sealing_needed(const std::optional<std::string>& sealed_with, const std::string& key_id,
                            const std::optional<std::string>& previous_key_id) {
  if (!sealed_with) return true;
  if (*sealed_with == key_id) return false;
  if (previous_key_id && *sealed_with == *previous_key_id) return true;
  return fail(Error::invalid(
      "the webhook secrets in this database are sealed with secrets key " + *sealed_with +
      ", but this process has key " + key_id +
      (previous_key_id ? " and previous key " + *previous_key_id : std::string()) +
      " (GENQ_SECRETS_KEY, or the data directory's secrets-key): start it with the key they were sealed with, or"
      " change keys with the old one in GENQ_SECRETS_KEY_PREVIOUS (docs/security.md)"));
}

WebhookHealth health_after_attempt(WebhookHealth health, bool ok, TimePoint at, const EndpointRules& rules) {
  if (health.disabled_at) return health;
  if (ok) return WebhookHealth{};
  if (!health.failing_since) health.failing_since = at;
  ++health.consecutive_failures;
  const Millis failing = std::chrono::duration_cast<Millis>(at - *health.failing_since);
  std::string reason;
  if (rules.disable_after_failures > 0 && health.consecutive_failures >= rules.disable_after_failures) {
    reason = std::to_string(health.consecutive_failures) + " attempts in a row failed";
  } else if (rules.disable_after > Millis(0) && failing >= rules.disable_after) {
    reason = "every attempt failed since " + to_iso8601(*health.failing_since) + " (" +
             std::to_string(health.consecutive_failures) + " attempts)";
  }
  if (!reason.empty()) {
    health.disabled_at = at;
    health.disabled_reason = std::move(reason);
  }
  return health;
}

}  // namespace genq::store_rules
