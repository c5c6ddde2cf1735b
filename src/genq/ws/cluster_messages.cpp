#include "genq/ws/cluster_messages.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace genq::ws {
namespace json = boost::json;
namespace {

json::object state_object(const NodeChannelState& state) {
  json::object out{{"c", state.channel}, {"n", static_cast<std::uint64_t>(state.subscriptions)}};
  if (!state.members.empty()) {
    json::object members;
    for (const auto& [id, info] : state.members) members[id] = info;
    out["m"] = std::move(members);
  }
  return out;
}

std::optional<NodeChannelState> read_state(const json::value& value) {
  const auto* object = value.if_object();
  if (!object) return std::nullopt;
  const auto* channel = object->if_contains("c");
  const auto* count = object->if_contains("n");
  if (!channel || !channel->is_string() || !count || !count->is_number()) return std::nullopt;
  NodeChannelState state;
  state.channel = std::string(channel->as_string());
  boost::system::error_code ec;
  state.subscriptions = count->to_number<std::size_t>(ec);
  if (ec) return std::nullopt;
  if (const auto* members = object->if_contains("m"); members && members->is_object()) {
    for (const auto& [id, info] : members->as_object()) {
      if (info.is_string()) state.members.emplace(std::string(id), std::string(info.as_string()));
    }
  }
  return state;
}

}  // namespace

std::string encode_channel_state(const NodeChannelState& state) {
  json::object out = state_object(state);
  out["t"] = "c";
  return json::serialize(out);
}

std::string encode_full_state_part(const std::vector<NodeChannelState>& states, bool last) {
  json::array channels;
  channels.reserve(states.size());
  for (const auto& state : states) channels.push_back(state_object(state));
  return json::serialize(json::object{{"t", "s"}, {"e", last}, {"ch", std::move(channels)}});
}

std::string encode_relayed_frame(std::string_view channel, std::string_view except, std::string_view frame) {
  return json::serialize(json::object{{"t", "f"}, {"c", channel}, {"x", except}, {"f", frame}});
}

std::optional<ClusterMessage> decode_cluster_message(std::string_view body) {
  boost::system::error_code ec;
  auto doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  const auto& object = doc.as_object();
  const auto* type = object.if_contains("t");
  if (!type || !type->is_string()) return std::nullopt;
  const std::string_view t = type->as_string();
  if (t == "c") {
    auto state = read_state(doc);
    if (!state) return std::nullopt;
    return ChannelStateMessage{std::move(*state)};
  }
  if (t == "s") {
    const auto* last = object.if_contains("e");
    const auto* channels = object.if_contains("ch");
    if (!last || !last->is_bool() || !channels || !channels->is_array()) return std::nullopt;
    FullStatePart part{last->as_bool(), {}};
    for (const auto& c : channels->as_array()) {
      auto state = read_state(c);
      if (!state) return std::nullopt;
      part.states.push_back(std::move(*state));
    }
    return part;
  }
  if (t == "f") {
    const auto* channel = object.if_contains("c");
    const auto* except = object.if_contains("x");
    const auto* frame = object.if_contains("f");
    if (!channel || !channel->is_string() || !except || !except->is_string() || !frame || !frame->is_string()) {
      return std::nullopt;
    }
    return RelayedFrame{std::string(channel->as_string()), std::string(except->as_string()),
                        std::string(frame->as_string())};
  }
  return std::nullopt;
}

}  // namespace genq::ws
