#include "genq/ws/channel_name.hpp"

namespace genq::ws {

ChannelKind channel_kind(std::string_view name) {
  if (name.starts_with("presence-")) return ChannelKind::Presence;
  // "private-encrypted-" channels authorise like private ones; the payload is
  // end-to-end encrypted by the libraries and relayed untouched.
  if (name.starts_with("private-")) return ChannelKind::Private;
  return ChannelKind::Public;
}

bool valid_channel_name(std::string_view name, std::size_t max_length) {
  if (name.empty() || name.size() > max_length) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '=' || c == '@' || c == ',' || c == '.' || c == ';';
    if (!ok) return false;
  }
  // Prefix alone ("private-") names nothing.
  return name != "private-" && name != "presence-" && name != "private-encrypted-";
}

bool valid_event_name(std::string_view name, std::size_t max_length) {
  if (name.empty() || name.size() > max_length) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool is_client_event(std::string_view name) { return name.starts_with("client-"); }

std::string client_channel(std::string_view client_id) {
  return "private-client." + std::string(client_id);
}

bool channel_matches(std::string_view pattern, std::string_view name) {
  if (!pattern.empty() && pattern.back() == '*') {
    pattern.remove_suffix(1);
    return name.starts_with(pattern) && name.size() > pattern.size();
  }
  return pattern == name;
}

}  // namespace genq::ws
