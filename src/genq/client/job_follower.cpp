#include "genq/client/job_follower.hpp"

#include <boost/json/parse.hpp>

#include <thread>

#include "genq/client/pusher_listener.hpp"

namespace genq::client {
namespace {

using namespace std::chrono_literals;

constexpr auto kSocketTimeout = 10s;
// Without an event for this long, request-status is read anyway: pub/sub can drop an
// event, and a job may end between the submit and the subscription.
constexpr auto kQuietRecheck = 5s;
constexpr auto kPollInterval = 1s;

std::string text(const boost::json::object& object, const char* name) {
  const auto* value = object.if_contains(name);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

// Progress is a number in request-status and a two-decimal string ("45.50") in events.
double progress_of(const boost::json::object& object) {
  const auto* value = object.if_contains("progress");
  if (value == nullptr) return 0;
  if (value->is_number()) return value->to_number<double>();
  if (value->is_string()) {
    try {
      return std::stod(std::string(value->as_string()));
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

}  // namespace

bool is_final_status(const std::string& status) { return status == "done" || status == "error"; }

bool JobFollower::report_status(const boost::json::object& status) {
  JobUpdate update{text(status, "status"), progress_of(status), std::nullopt, text(status, "preview")};
  if (const auto* position = status.if_contains("queue_position"); position && position->is_int64()) {
    update.queue_position = position->as_int64();
  }
  on_update_(update);
  return is_final_status(update.status);
}

Result<boost::json::object> JobFollower::follow(const std::string& request_id) {
  if (auto followed = follow_over_websocket(request_id)) return std::move(*followed);
  return follow_by_polling(request_id);
}

std::optional<Result<boost::json::object>> JobFollower::follow_over_websocket(const std::string& request_id) {
  auto info = api_.realtime();
  if (!info) {
    on_notice_("no WebSocket (" + info.error().message + "); polling request-status");
    return std::nullopt;
  }
  PusherListener listener;
  auto socket_id = listener.connect(api_.server(), info->ws_path + "?protocol=7&client=genq-cli&version=" GENQ_VERSION,
                                    kSocketTimeout);
  if (!socket_id) {
    on_notice_(socket_id.error().message + "; polling request-status");
    return std::nullopt;
  }
  auto auth = api_.channel_auth(*socket_id, info->channel);
  Status subscribed = auth ? listener.subscribe(info->channel, *auth, kSocketTimeout) : fail(std::move(auth.error()));
  if (!subscribed) {
    on_notice_(subscribed.error().message + "; polling request-status");
    return std::nullopt;
  }
  // Subscribed: whatever happens from now on arrives as an event; what happened
  // before is in request-status.
  for (bool check_status = true;;) {
    if (check_status) {
      auto status = api_.status(request_id);
      if (!status) return Result<boost::json::object>(fail(std::move(status.error())));
      if (report_status(*status)) return Result<boost::json::object>(std::move(*status));
      check_status = false;
    }
    auto event = listener.next(kQuietRecheck);
    if (!event) {
      on_notice_(event.error().message + "; polling request-status");
      return std::nullopt;
    }
    if (!*event) {
      check_status = true;
      continue;
    }
    if ((*event)->event != info->event) continue;
    boost::system::error_code ec;
    boost::json::value data = boost::json::parse((*event)->data, ec);
    if (ec || !data.is_object() || text(data.as_object(), "request_id") != request_id) continue;
    const std::string status = text(data.as_object(), "status");
    if (is_final_status(status)) {
      check_status = true;  // the final document, with the text result and a fresh result_url
      continue;
    }
    JobUpdate update{status, progress_of(data.as_object()), std::nullopt, text(data.as_object(), "preview")};
    on_update_(update);
  }
}

Result<boost::json::object> JobFollower::follow_by_polling(const std::string& request_id) {
  for (;;) {
    auto status = api_.status(request_id);
    if (!status) return fail(std::move(status.error()));
    if (report_status(*status)) return std::move(*status);
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace genq::client
