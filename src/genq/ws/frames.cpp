#include "genq/ws/frames.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace genq::ws {
namespace json = boost::json;

std::string connection_established_frame(std::string_view socket_id, std::chrono::seconds activity_timeout) {
  json::object data{{"socket_id", socket_id}, {"activity_timeout", activity_timeout.count()}};
  return json::serialize(json::object{{"event", "pusher:connection_established"}, {"data", json::serialize(data)}});
}

std::string error_frame(std::optional<int> code, std::string_view message) {
  json::object data{{"code", code ? json::value(*code) : json::value(nullptr)}, {"message", message}};
  return json::serialize(json::object{{"event", "pusher:error"}, {"data", std::move(data)}});
}

std::string ping_frame() { return R"({"event":"pusher:ping","data":"{}"})"; }
std::string pong_frame() { return R"({"event":"pusher:pong","data":"{}"})"; }

std::string subscription_succeeded_frame(std::string_view channel, std::string_view data) {
  return json::serialize(
      json::object{{"event", "pusher_internal:subscription_succeeded"}, {"channel", channel}, {"data", data}});
}

std::string subscription_error_frame(std::string_view channel, std::string_view type, std::string_view error,
                                     int status) {
  json::object data{{"type", type}, {"error", error}, {"status", status}};
  return json::serialize(
      json::object{{"event", "pusher:subscription_error"}, {"channel", channel}, {"data", std::move(data)}});
}

namespace {

json::value parsed_or_null(std::string_view text) {
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  return ec ? json::value(nullptr) : value;
}

}  // namespace

std::string member_added_frame(std::string_view channel, std::string_view user_id, std::string_view user_info) {
  json::object data{{"user_id", user_id}, {"user_info", parsed_or_null(user_info)}};
  return json::serialize(json::object{
      {"event", "pusher_internal:member_added"}, {"channel", channel}, {"data", json::serialize(data)}});
}

std::string member_removed_frame(std::string_view channel, std::string_view user_id) {
  json::object data{{"user_id", user_id}};
  return json::serialize(json::object{
      {"event", "pusher_internal:member_removed"}, {"channel", channel}, {"data", json::serialize(data)}});
}

std::string event_frame(std::string_view channel, std::string_view event, std::string_view data) {
  return json::serialize(json::object{{"event", event}, {"channel", channel}, {"data", data}});
}

std::string client_event_frame(std::string_view channel, std::string_view event, const json::value& data,
                               std::string_view user_id) {
  json::object frame{{"event", event}, {"channel", channel}, {"data", data}};
  if (!user_id.empty()) frame["user_id"] = user_id;
  return json::serialize(frame);
}

Result<Inbound> parse_inbound(std::string_view text) {
  boost::system::error_code ec;
  auto doc = json::parse(text, ec);
  if (ec || !doc.is_object()) return fail(Error::invalid("Messages must be JSON objects."));
  auto& object = doc.as_object();
  const auto* event = object.if_contains("event");
  if (!event || !event->is_string() || event->as_string().empty()) {
    return fail(Error::invalid("Messages must have a string \"event\"."));
  }
  Inbound in;
  in.event = std::string(event->as_string());
  if (const auto* channel = object.if_contains("channel")) {
    if (!channel->is_string()) return fail(Error::invalid("\"channel\" must be a string."));
    in.channel = std::string(channel->as_string());
  }
  if (auto* data = object.if_contains("data")) in.data = std::move(*data);
  return in;
}

namespace {

// Some clients send pusher:* data as a serialised JSON string rather than an object.
const json::object* data_object(const json::value& data, json::value& holder) {
  if (data.is_object()) return &data.as_object();
  if (data.is_string()) {
    boost::system::error_code ec;
    holder = json::parse(data.as_string(), ec);
    if (!ec && holder.is_object()) return &holder.as_object();
  }
  return nullptr;
}

std::optional<std::string> string_field(const json::object& object, std::string_view name) {
  const auto* v = object.if_contains(name);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

}  // namespace

Result<SubscribeRequest> parse_subscribe(const json::value& data) {
  json::value holder;
  const auto* object = data_object(data, holder);
  if (!object) return fail(Error::invalid("pusher:subscribe needs a data object."));
  SubscribeRequest request;
  auto channel = string_field(*object, "channel");
  if (!channel || channel->empty()) return fail(Error::invalid("pusher:subscribe needs data.channel."));
  request.channel = std::move(*channel);
  request.auth = string_field(*object, "auth").value_or("");
  if (const auto* cd = object->if_contains("channel_data"); cd && !cd->is_null()) {
    // The signature covers the exact string, so only a string can be checked.
    if (!cd->is_string()) return fail(Error::invalid("channel_data must be a string."));
    request.channel_data = std::string(cd->as_string());
  }
  return request;
}

Result<std::string> parse_unsubscribe(const json::value& data) {
  json::value holder;
  const auto* object = data_object(data, holder);
  if (!object) return fail(Error::invalid("pusher:unsubscribe needs a data object."));
  auto channel = string_field(*object, "channel");
  if (!channel || channel->empty()) return fail(Error::invalid("pusher:unsubscribe needs data.channel."));
  return std::move(*channel);
}

}  // namespace genq::ws
