#pragma once
// Pusher channel authorisation: the "auth" string a private or presence subscription
// must carry, "<key>:<hex HMAC-SHA256(secret, socket_id:channel[:channel_data])>",
// and the presence member that channel_data names. Pure functions; thread-safe.
#include <cstddef>
#include <string>
#include <string_view>

#include "genq/core/error.hpp"

namespace genq::ws {

// "1234.5678": two runs of digits joined by one dot (what Pusher issues and checks).
bool valid_socket_id(std::string_view socket_id);

// The auth value for a subscription. `channel_data` is empty for private channels.
std::string sign_channel(std::string_view key, std::string_view secret, std::string_view socket_id,
                         std::string_view channel, std::string_view channel_data = {});

// Whether `auth` is the value sign_channel would produce; compared in constant time.
bool verify_channel(std::string_view auth, std::string_view key, std::string_view secret,
                    std::string_view socket_id, std::string_view channel, std::string_view channel_data = {});

struct PresenceMember {
  std::string user_id;    // numbers are taken as their decimal text, as Pusher does
  std::string user_info;  // serialised JSON value, "null" when absent
};

struct MemberLimits {
  std::size_t max_user_id = 128;
  std::size_t max_user_info_bytes = 1024;
};

// Parses presence channel_data: a JSON object with "user_id" (non-empty string or
// integer) and an optional "user_info". Invalid with a message otherwise.
Result<PresenceMember> parse_channel_data(std::string_view channel_data, const MemberLimits& limits);

}  // namespace genq::ws
