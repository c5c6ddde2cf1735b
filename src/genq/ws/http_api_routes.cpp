// The Pusher HTTP API (what the official `pusher` server libraries call), so genq can
// stand in for a Pusher-compatible server: trigger events, inspect channels.
// Every request is signed (api_signature.hpp); errors use the one error builder.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <set>

#include "genq/http/responses.hpp"
#include "genq/ws/api_signature.hpp"
#include "genq/ws/channel_auth.hpp"
#include "genq/ws/channel_name.hpp"
#include "genq/ws/frames.hpp"
#include "genq/ws/pusher_server.hpp"
#include "genq/ws/routes.hpp"

namespace genq::ws {
namespace {
namespace json = boost::json;

using ApiHandler = void (*)(PusherServer&, http::Request&, http::Reply);

// Checks the app id and the request signature before `handler` runs:
// 404 for another app id, 401 for a missing or wrong signature.
http::Handler signed_only(PusherServer& server, ApiHandler handler) {
  return [&server, handler](http::Request& request, http::Reply reply) {
    const PusherOptions& options = server.options();
    if (request.param("app_id") != options.app_id) return reply(http::error_response(404, "Unknown app id."));
    auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    auto verified = verify_api_request(boost::beast::http::to_string(request.method), request.path, request.query, request.body,
                                       {options.key, options.secret}, now.count(), options.api_timestamp_skew);
    if (!verified) return reply(http::error_response(401, verified.error().message));
    handler(server, request, std::move(reply));
  };
}

// One event to publish, validated.
struct Trigger {
  std::string name;
  std::string data;
  std::vector<std::string> channels;
  std::string socket_id;  // excluded from delivery
  std::set<std::string> info;
};

std::set<std::string> split_info(std::string_view text) {
  std::set<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    if (comma > start) out.emplace(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// An error reply (status and message) or the trigger.
struct TriggerProblem {
  unsigned status;
  std::string message;
};
using TriggerResult = std::expected<Trigger, TriggerProblem>;

TriggerResult parse_trigger(const PusherOptions& options, const json::object& body, bool batch_item) {
  Trigger t;
  const auto* name = body.if_contains("name");
  if (!name || !name->is_string() || !valid_event_name(name->as_string(), options.max_event_name)) {
    return std::unexpected(TriggerProblem{400, "\"name\" must be an event name of at most " +
                                                   std::to_string(options.max_event_name) + " characters."});
  }
  t.name = std::string(name->as_string());
  const auto* data = body.if_contains("data");
  if (!data) return std::unexpected(TriggerProblem{400, "\"data\" is required."});
  t.data = data->is_string() ? std::string(data->as_string()) : json::serialize(*data);
  if (t.data.size() > options.max_event_bytes) {
    return std::unexpected(
        TriggerProblem{413, "\"data\" may be at most " + std::to_string(options.max_event_bytes) + " bytes."});
  }
  if (const auto* channels = body.if_contains("channels"); channels && !batch_item) {
    if (!channels->is_array()) return std::unexpected(TriggerProblem{400, "\"channels\" must be an array."});
    for (const auto& c : channels->as_array()) {
      if (!c.is_string()) return std::unexpected(TriggerProblem{400, "\"channels\" must hold strings."});
      t.channels.emplace_back(c.as_string());
    }
  } else if (const auto* channel = body.if_contains("channel"); channel && channel->is_string()) {
    t.channels.emplace_back(channel->as_string());
  }
  if (t.channels.empty()) return std::unexpected(TriggerProblem{400, "At least one channel is required."});
  if (t.channels.size() > options.max_channels_per_trigger) {
    return std::unexpected(TriggerProblem{
        400, "At most " + std::to_string(options.max_channels_per_trigger) + " channels per event."});
  }
  for (const auto& c : t.channels) {
    if (!valid_channel_name(c, options.max_channel_name)) {
      return std::unexpected(TriggerProblem{400, "Invalid channel name '" + c.substr(0, 200) + "'."});
    }
  }
  if (const auto* socket_id = body.if_contains("socket_id"); socket_id && !socket_id->is_null()) {
    if (!socket_id->is_string() || !valid_socket_id(socket_id->as_string())) {
      return std::unexpected(TriggerProblem{400, "\"socket_id\" must look like 1234.5678."});
    }
    t.socket_id = std::string(socket_id->as_string());
  }
  if (const auto* info = body.if_contains("info"); info && info->is_string()) t.info = split_info(info->as_string());
  return t;
}

// Publishes (on every node of a cluster) and returns the requested info per channel
// ({} when none was asked for).
json::object publish(PusherServer& server, const Trigger& t) {
  json::object channels_info;
  for (const auto& channel : t.channels) {
    server.publish(channel, event_frame(channel, t.name, t.data), t.socket_id);
    if (t.info.empty()) continue;
    auto info = server.registry().channel(channel);
    json::object entry;
    if (t.info.contains("subscription_count")) {
      entry["subscription_count"] = info ? info->subscription_count : 0;
    }
    if (t.info.contains("user_count") && channel_kind(channel) == ChannelKind::Presence) {
      entry["user_count"] = info ? info->user_count : 0;
    }
    channels_info[channel] = std::move(entry);
  }
  return channels_info;
}

Result<json::object> body_object(const std::string& body) {
  boost::system::error_code ec;
  auto doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return fail(Error::invalid("The request body must be a JSON object."));
  return std::move(doc.as_object());
}

// POST /apps/{app_id}/events {"name","data","channels"|"channel","socket_id"?,"info"?}
// 200 {} (or {"channels":{...}} with info); 400 bad event; 413 data too large.
void handle_events(PusherServer& server, http::Request& request, http::Reply reply) {
  auto body = body_object(request.body);
  if (!body) return reply(http::error_response(400, body.error().message));
  auto trigger = parse_trigger(server.options(), *body, false);
  if (!trigger) return reply(http::error_response(trigger.error().status, trigger.error().message));
  auto info = publish(server, *trigger);
  json::object out;
  if (!trigger->info.empty()) out["channels"] = std::move(info);
  reply(http::json_response(200, out));
}

// POST /apps/{app_id}/batch_events {"batch":[{"channel","name","data",...}, ...]}
// All events are validated before any is published. 200 {} (or {"batch":[...]}).
void handle_batch(PusherServer& server, http::Request& request, http::Reply reply) {
  auto body = body_object(request.body);
  if (!body) return reply(http::error_response(400, body.error().message));
  const auto* batch = body->if_contains("batch");
  if (!batch || !batch->is_array()) return reply(http::error_response(400, "\"batch\" must be an array."));
  const auto& items = batch->as_array();
  if (items.size() > server.options().max_batch_events) {
    return reply(http::error_response(
        400, "At most " + std::to_string(server.options().max_batch_events) + " events per batch."));
  }
  std::vector<Trigger> triggers;
  bool any_info = false;
  for (const auto& item : items) {
    if (!item.is_object()) return reply(http::error_response(400, "Each batch item must be an object."));
    auto trigger = parse_trigger(server.options(), item.as_object(), true);
    if (!trigger) return reply(http::error_response(trigger.error().status, trigger.error().message));
    any_info = any_info || !trigger->info.empty();
    triggers.push_back(std::move(*trigger));
  }
  json::array results;
  for (const auto& t : triggers) {
    auto info = publish(server, t);
    results.push_back(info.empty() ? json::object{} : json::object(info.begin()->value().as_object()));
  }
  json::object out;
  if (any_info) out["batch"] = std::move(results);
  reply(http::json_response(200, out));
}

// GET /apps/{app_id}/channels?filter_by_prefix=&info=user_count
// 200 {"channels":{"name":{...}}} of occupied channels; user_count only with the
// presence- prefix (400 otherwise, as Pusher does).
void handle_channels(PusherServer& server, http::Request& request, http::Reply reply) {
  std::string prefix = request.query_param("filter_by_prefix").value_or("");
  auto info = split_info(request.query_param("info").value_or(""));
  if (info.contains("user_count") && !prefix.starts_with("presence-")) {
    return reply(http::error_response(400, "info=user_count needs filter_by_prefix=presence-."));
  }
  json::object channels;
  for (const auto& c : server.registry().channels(prefix)) {
    json::object entry;
    if (info.contains("user_count")) entry["user_count"] = c.user_count;
    if (info.contains("subscription_count")) entry["subscription_count"] = c.subscription_count;
    channels[c.name] = std::move(entry);
  }
  reply(http::json_response(200, json::object{{"channels", std::move(channels)}}));
}

// GET /apps/{app_id}/channels/{channel_name}?info=user_count,subscription_count
// 200 {"occupied":bool[,"user_count"][,"subscription_count"]}; 400 user_count on a
// non-presence channel.
void handle_channel(PusherServer& server, http::Request& request, http::Reply reply) {
  const std::string& name = request.param("channel_name");
  if (!valid_channel_name(name, server.options().max_channel_name)) {
    return reply(http::error_response(400, "Invalid channel name."));
  }
  auto info = split_info(request.query_param("info").value_or(""));
  bool presence = channel_kind(name) == ChannelKind::Presence;
  if (info.contains("user_count") && !presence) {
    return reply(http::error_response(400, "user_count is only available for presence channels."));
  }
  auto channel = server.registry().channel(name);
  json::object out{{"occupied", channel.has_value()}};
  if (info.contains("user_count")) out["user_count"] = channel ? channel->user_count : 0;
  if (info.contains("subscription_count")) out["subscription_count"] = channel ? channel->subscription_count : 0;
  reply(http::json_response(200, out));
}

// GET /apps/{app_id}/channels/{channel_name}/users -> {"users":[{"id":"..."}]}
// 400 for a channel that is not a presence channel.
void handle_users(PusherServer& server, http::Request& request, http::Reply reply) {
  const std::string& name = request.param("channel_name");
  if (!valid_channel_name(name, server.options().max_channel_name) ||
      channel_kind(name) != ChannelKind::Presence) {
    return reply(http::error_response(400, "Users are only available for presence channels."));
  }
  json::array users;
  for (const auto& id : server.registry().users(name)) users.push_back(json::object{{"id", id}});
  reply(http::json_response(200, json::object{{"users", std::move(users)}}));
}

}  // namespace

void add_http_api_routes(http::Router& router, PusherServer& server) {
  using http::Exec;
  using http::Verb;
  const auto& o = server.options();
  // A batch of the largest events, JSON-escaped (up to 2x), plus the envelope.
  const std::size_t body_limit = std::max<std::size_t>(64 * 1024, 2 * o.max_event_bytes * o.max_batch_events + 16 * 1024);
  router.add({Verb::post, "/apps/{app_id}/events", signed_only(server, handle_events), Exec::Inline, body_limit, false,
              "pusher-events"});
  router.add({Verb::post, "/apps/{app_id}/batch_events", signed_only(server, handle_batch), Exec::Inline, body_limit,
              false, "pusher-batch-events"});
  router.add({Verb::get, "/apps/{app_id}/channels", signed_only(server, handle_channels), Exec::Inline, 0, false,
              "pusher-channels"});
  router.add({Verb::get, "/apps/{app_id}/channels/{channel_name}", signed_only(server, handle_channel), Exec::Inline,
              0, false, "pusher-channel"});
  router.add({Verb::get, "/apps/{app_id}/channels/{channel_name}/users", signed_only(server, handle_users),
              Exec::Inline, 0, false, "pusher-channel-users"});
}

}  // namespace genq::ws
