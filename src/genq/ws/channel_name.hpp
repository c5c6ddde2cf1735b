#pragma once
// Pusher channel names: the kind a prefix selects and the characters and length Pusher
// allows ("[A-Za-z0-9_\-=@,.;]", at most 164 by default). Pure functions.
#include <cstddef>
#include <string>
#include <string_view>

namespace genq::ws {

enum class ChannelKind {
  Public,    // anyone may subscribe
  Private,   // "private-": needs a signature from /broadcasting/auth
  Presence,  // "presence-": signature over channel_data naming the member
};

ChannelKind channel_kind(std::string_view name);
bool valid_channel_name(std::string_view name, std::size_t max_length);
// Event names: non-empty, printable ASCII, within the limit.
bool valid_event_name(std::string_view name, std::size_t max_length);
// Client events must start with "client-" (Pusher rule).
bool is_client_event(std::string_view name);

// The channel genq publishes a client's job events on: "private-client.{client_id}".
std::string client_channel(std::string_view client_id);

// `pattern` is a channel name, or a prefix ending in '*'.
bool channel_matches(std::string_view pattern, std::string_view name);

}  // namespace genq::ws
