#include "genq/ws/channel_auth.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "genq/crypto/crypto.hpp"

namespace genq::ws {

bool valid_socket_id(std::string_view socket_id) {
  auto dot = socket_id.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == socket_id.size()) return false;
  // Pusher's ids are two numbers; cap each at 20 digits so a hostile id stays small.
  if (dot > 20 || socket_id.size() - dot - 1 > 20) return false;
  for (std::size_t i = 0; i < socket_id.size(); ++i) {
    if (i == dot) continue;
    if (socket_id[i] < '0' || socket_id[i] > '9') return false;
  }
  return true;
}

namespace {

std::string channel_string_to_sign(std::string_view socket_id, std::string_view channel,
                                   std::string_view channel_data) {
  std::string text;
  text.reserve(socket_id.size() + channel.size() + channel_data.size() + 2);
  text.append(socket_id).append(":").append(channel);
  if (!channel_data.empty()) text.append(":").append(channel_data);
  return text;
}

}  // namespace

std::string sign_channel(std::string_view key, std::string_view secret, std::string_view socket_id,
                         std::string_view channel, std::string_view channel_data) {
  return std::string(key) + ":" +
         crypto::hmac_sha256_hex(secret, channel_string_to_sign(socket_id, channel, channel_data));
}

bool verify_channel(std::string_view auth, std::string_view key, std::string_view secret, std::string_view socket_id,
                    std::string_view channel, std::string_view channel_data) {
  return crypto::constant_time_equal(auth, sign_channel(key, secret, socket_id, channel, channel_data));
}

Result<PresenceMember> parse_channel_data(std::string_view channel_data, const MemberLimits& limits) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(channel_data, ec);
  if (ec || !doc.is_object()) return fail(Error::invalid("channel_data must be a JSON object."));
  const auto& object = doc.as_object();
  PresenceMember member;
  const auto* id = object.if_contains("user_id");
  if (id && id->is_string()) {
    member.user_id = std::string(id->as_string());
  } else if (id && id->is_int64()) {
    member.user_id = std::to_string(id->as_int64());
  } else if (id && id->is_uint64()) {
    member.user_id = std::to_string(id->as_uint64());
  }
  if (member.user_id.empty()) return fail(Error::invalid("channel_data must contain a user_id."));
  if (member.user_id.size() > limits.max_user_id) {
    return fail(Error::invalid("The user_id is longer than " + std::to_string(limits.max_user_id) + " characters."));
  }
  const auto* info = object.if_contains("user_info");
  member.user_info = info ? boost::json::serialize(*info) : "null";
  if (member.user_info.size() > limits.max_user_info_bytes) {
    return fail(Error::invalid("The user_info is larger than " + std::to_string(limits.max_user_info_bytes) +
                               " bytes."));
  }
  return member;
}

}  // namespace genq::ws
