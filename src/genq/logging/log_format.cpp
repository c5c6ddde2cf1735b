#include "genq/logging/log_format.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "genq/logging/log_context.hpp"

namespace genq::logging {
namespace {

// %Q in the text pattern: " request_id=…" on lines about a request, nothing otherwise.
class RequestIdFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string_view id = log_context::request_id();
    if (id.empty()) return;
    constexpr std::string_view kLabel = " request_id=";
    dest.append(kLabel.data(), kLabel.data() + kLabel.size());
    dest.append(id.data(), id.data() + id.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<RequestIdFlag>(); }
};

void append(spdlog::memory_buf_t& dest, std::string_view text) { dest.append(text.data(), text.data() + text.size()); }

// JSON string contents: quotes, backslashes and control characters escaped.
void append_escaped(spdlog::memory_buf_t& dest, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '"': append(dest, "\\\""); break;
      case '\\': append(dest, "\\\\"); break;
      case '\n': append(dest, "\\n"); break;
      case '\r': append(dest, "\\r"); break;
      case '\t': append(dest, "\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          append(dest, escaped);
        } else {
          dest.push_back(c);
        }
    }
  }
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    const auto since_epoch = msg.time.time_since_epoch();
    const std::time_t seconds = duration_cast<std::chrono::seconds>(since_epoch).count();
    const auto millis = duration_cast<milliseconds>(since_epoch).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char time[80];
    std::snprintf(time, sizeof time, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
    append(dest, "{\"time\":\"");
    append(dest, time);
    append(dest, "\",\"level\":\"");
    const auto level = spdlog::level::to_string_view(msg.level);
    append(dest, std::string_view(level.data(), level.size()));
    append(dest, "\",\"msg\":\"");
    append_escaped(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    append(dest, "\"");
    if (const std::string_view id = log_context::request_id(); !id.empty()) {
      append(dest, ",\"request_id\":\"");
      append_escaped(dest, id);
      append(dest, "\"");
    }
    append(dest, "}\n");
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

}  // namespace

Status use_log_format(std::string_view format) {
  if (format == "json") {
    spdlog::set_formatter(std::make_unique<JsonFormatter>());
    return {};
  }
  if (format == "text") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<RequestIdFlag>('Q').set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l]%Q %v");
    spdlog::set_formatter(std::move(formatter));
    return {};
  }
  return fail(Error::invalid("--log-format must be text or json, got '" + std::string(format) + "'"));
}

}  // namespace genq::logging
