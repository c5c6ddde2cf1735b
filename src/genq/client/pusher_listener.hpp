#pragma once
// A minimal Pusher protocol 7 client over a plain WebSocket (Boost.Beast): connect,
// learn the socket id, subscribe to a channel with an auth signature, read events with
// a timeout, answer pings. Enough for `genq submit --wait` to follow its job; not a
// general Pusher library (no reconnects: the caller falls back to polling).
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "genq/core/error.hpp"

namespace genq::client {

struct PusherEvent {
  std::string event;
  std::string channel;
  std::string data;  // the data field as text (Pusher sends JSON encoded in a string)
};

class PusherListener {
 public:
  PusherListener();
  ~PusherListener();
  PusherListener(const PusherListener&) = delete;
  PusherListener& operator=(const PusherListener&) = delete;

  // Connects to ws://HOST:PORT`path` (`server` is the http:// base URL) and waits for
  // pusher:connection_established. Returns the socket id.
  Result<std::string> connect(const std::string& server, const std::string& path, std::chrono::milliseconds timeout);
  // pusher:subscribe, then waits for pusher_internal:subscription_succeeded.
  Status subscribe(const std::string& channel, const std::string& auth, std::chrono::milliseconds timeout);
  // The next event, nullopt when none came within `timeout`. pusher:ping is answered
  // here and not returned. An error means the connection is gone.
  Result<std::optional<PusherEvent>> next(std::chrono::milliseconds timeout);

 private:
  Status send(const std::string& text, std::chrono::milliseconds timeout);
  struct Connection;
  std::unique_ptr<Connection> connection_;
};

}  // namespace genq::client
