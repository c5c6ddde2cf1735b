// What a Pusher client sends over an open socket: the JSON envelope, subscribe and
// unsubscribe data, presence channel_data and the channel and event names in them.
#include "fuzz_input.hpp"
#include "genq/ws/channel_auth.hpp"
#include "genq/ws/channel_name.hpp"
#include "genq/ws/frames.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  genq::fuzz::FuzzInput input(data, size);
  const std::string_view text = input.rest();
  auto inbound = genq::ws::parse_inbound(text);
  if (!inbound) return 0;
  (void)genq::ws::valid_event_name(inbound->event, 200);
  (void)genq::ws::is_client_event(inbound->event);
  if (auto subscribe = genq::ws::parse_subscribe(inbound->data)) {
    if (genq::ws::valid_channel_name(subscribe->channel, 200)) (void)genq::ws::channel_kind(subscribe->channel);
    (void)genq::ws::valid_socket_id(subscribe->auth);
    (void)genq::ws::verify_channel(subscribe->auth, "key", "secret", "1.2", subscribe->channel, subscribe->channel_data);
    (void)genq::ws::parse_channel_data(subscribe->channel_data, genq::ws::MemberLimits{128, 1024});
  }
  (void)genq::ws::parse_unsubscribe(inbound->data);
  (void)genq::ws::channel_matches(inbound->channel, inbound->event);
  return 0;
}
