// POST /broadcasting/auth: what pusher-js's authorizer (or laravel-echo's) calls to
// subscribe to a private or presence channel.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include <algorithm>
#include <map>

#include "genq/http/responses.hpp"
#include "genq/ws/channel_auth.hpp"
#include "genq/ws/channel_name.hpp"
#include "genq/ws/pusher_server.hpp"
#include "genq/ws/routes.hpp"

namespace genq::ws {
namespace {

using Fields = std::map<std::string, std::string, std::less<>>;

// JSON object or application/x-www-form-urlencoded (pusher-js's default authorizer).
Result<Fields> parse_fields(const http::Request& request) {
  Fields fields;
  std::string type = request.header("Content-Type");
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  if (type.find("json") != std::string::npos) {
    boost::system::error_code ec;
    auto doc = boost::json::parse(request.body, ec);
    if (ec || !doc.is_object()) return fail(Error::invalid("The request body is not a valid JSON object."));
    for (const auto& [key, value] : doc.as_object()) {
      if (value.is_string()) {
        fields[std::string(key)] = std::string(value.as_string());
      } else if (!value.is_null()) {
        fields[std::string(key)] = boost::json::serialize(value);  // e.g. channel_data sent as an object
      }
    }
    return fields;
  }
  // Form encoding writes a space as '+', which parse_query would keep.
  std::string encoded;
  encoded.reserve(request.body.size());
  for (char c : request.body) {
    if (c == '+') {
      encoded += "%20";
    } else {
      encoded += c;
    }
  }
  auto parsed = boost::urls::parse_query(encoded);
  if (!parsed) return fail(Error::invalid("The request body is not a valid form."));
  for (auto param : boost::urls::params_view(*parsed)) fields.emplace(std::string(param.key), std::string(param.value));
  return fields;
}

std::string field(const Fields& fields, std::string_view name) {
  auto it = fields.find(name);
  return it == fields.end() ? std::string() : it->second;
}

bool presence_allowed(const PusherOptions& options, std::string_view channel) {
  return std::any_of(options.presence_channels.begin(), options.presence_channels.end(),
                     [&](const std::string& pattern) { return channel_matches(pattern, channel); });
}

// POST /broadcasting/auth  (Bearer API key; socket_id, channel_name[, channel_data])
// 200 {"auth":"key:hmac"} for the client's own private-client.{client_id};
// 200 {"auth","channel_data"} for presence channels the operator allows (the member
// is the client: user_id = client_id unless channel_data names the same id);
// 401 without a valid key; 403 for any other channel; 422 for missing or bad fields.
void handle_auth(Services& services, PusherServer& server, http::Request& request, http::Reply reply) {
  auto client = services.accounts.authenticate_client(request.bearer_token());
  if (!client) {
    if (client.error().kind != ErrorKind::NotFound) return reply(http::response_for(client.error()));
    return reply(http::unauthenticated());
  }
  auto fields = parse_fields(request);
  if (!fields) return reply(http::error_response(400, fields.error().message));
  const PusherOptions& options = server.options();
  std::string socket_id = field(*fields, "socket_id");
  std::string channel = field(*fields, "channel_name");
  http::FieldProblems problems;
  if (!valid_socket_id(socket_id)) problems.push_back({"socket_id", {"The socket id field must look like 1234.5678."}});
  if (!valid_channel_name(channel, options.max_channel_name)) {
    problems.push_back({"channel_name", {"The channel name field must be a valid channel name."}});
  }
  if (!problems.empty()) return reply(http::validation_error(problems));

  const auto forbidden = [&] {
    reply(http::error_response(403, "You may not subscribe to channel '" + channel + "'."));
  };
  switch (channel_kind(channel)) {
    case ChannelKind::Public: return forbidden();  // needs no authorisation; nothing to sign
    case ChannelKind::Private:
      if (channel != client_channel(client->id)) return forbidden();
      return reply(http::json_response(
          200, boost::json::object{{"auth", sign_channel(options.key, options.secret, socket_id, channel)}}));
    case ChannelKind::Presence: break;
  }
  if (!presence_allowed(options, channel)) return forbidden();
  std::string channel_data = field(*fields, "channel_data");
  if (channel_data.empty()) {
    channel_data = boost::json::serialize(boost::json::object{
        {"user_id", client->id}, {"user_info", boost::json::object{{"name", client->name}}}});
  } else {
    auto member = parse_channel_data(channel_data, {options.max_user_id, options.max_user_info_bytes});
    if (!member) return reply(http::validation_error({{"channel_data", {member.error().message}}}));
    // A client speaks for itself only: another user_id would let it impersonate.
    if (member->user_id != client->id) return forbidden();
  }
  reply(http::json_response(
      200, boost::json::object{{"auth", sign_channel(options.key, options.secret, socket_id, channel, channel_data)},
                               {"channel_data", channel_data}}));
}

}  // namespace

void add_auth_route(http::Router& router, Services& services, PusherServer& server) {
  router.add({http::Verb::post, "/broadcasting/auth",
              [&services, &server](http::Request& r, http::Reply reply) { handle_auth(services, server, r, reply); },
              http::Exec::Inline, 16 * 1024, false, "broadcasting-auth"});
}

}  // namespace genq::ws
