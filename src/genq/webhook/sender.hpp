#pragma once
// The network side of webhook deliveries, behind a narrow interface so the delivery
// engine can be tested without sockets (tests/unit/webhook/) and the libcurl
// implementation (curl_sender.hpp) stays the only code that touches the network.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "genq/core/clock.hpp"
#include "genq/webhook/signer.hpp"

namespace genq::webhook {

struct OutgoingRequest {
  std::string url;
  std::vector<Header> headers;
  std::string body;
};

struct SendResult {
  std::optional<int> http_status;  // nullopt: no response arrived
  std::string error;               // why not, when http_status is nullopt
  Millis latency{0};
  std::optional<std::string> retry_after;  // the Retry-After header, if the receiver sent one
};

// Sends POST requests asynchronously. Thread-safe. `done` runs exactly once per send,
// on the sender's own thread, unless the sender is destroyed first: destruction
// abandons transfers in flight without calling their `done`.
class WebhookSender {
 public:
  using Done = std::function<void(SendResult)>;
  virtual ~WebhookSender() = default;
  virtual void send(OutgoingRequest request, Done done) = 0;
};

}  // namespace genq::webhook
