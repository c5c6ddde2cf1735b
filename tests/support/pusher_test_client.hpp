#pragma once
// A minimal Pusher protocol client for integration tests (Beast's WebSocket client):
// connects to /app/{key}, records every message the server sends, subscribes with
// an auth the test signs itself (as an app's backend would), and sends client events.
// Its own I/O thread reads; the test thread waits on the recorded messages with
// deadlines. Thread-safe for one test thread plus its reader.
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace genq::testing {

class PusherTestClient {
 public:
  // Connects and waits for pusher:connection_established; throws on failure.
  PusherTestClient(std::uint16_t port, const std::string& key);
  ~PusherTestClient();
  PusherTestClient(const PusherTestClient&) = delete;
  PusherTestClient& operator=(const PusherTestClient&) = delete;

  const std::string& socket_id() const { return socket_id_; }
  // pusher:subscribe; `auth` and `channel_data` empty for public channels.
  void subscribe(const std::string& channel, const std::string& auth = {}, const std::string& channel_data = {});
  // Sends {"event":event,"channel":channel,"data":data}.
  void send(const std::string& event, const std::string& channel, const boost::json::value& data);
  // Closes the connection (the server sees the client leave).
  void close();

  // Every message received so far, parsed ("data" parsed again when it is a string
  // holding JSON, as pusher-js does).
  std::vector<boost::json::object> messages() const;
  // The first message for which `match` holds, waiting up to `timeout`; null if none.
  std::optional<boost::json::object> wait_for(std::chrono::milliseconds timeout,
                                              const std::function<bool(const boost::json::object&)>& match) const;
  // Shorthand: the first message with this event (and channel, when given).
  std::optional<boost::json::object> wait_for_event(std::chrono::milliseconds timeout, const std::string& event,
                                                    const std::string& channel = {}) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::string socket_id_;
};

}  // namespace genq::testing
