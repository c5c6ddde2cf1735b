#pragma once
// Wiring of the Pusher-protocol WebSocket server: its flags, its credentials (given,
// or generated on first start and kept: in the data directory, or in the shared store
// for every node), its metrics.
#include <CLI/App.hpp>

#include "genq/app/cluster_secrets.hpp"
#include "genq/config/pusher_config.hpp"
#include "genq/core/error.hpp"
#include "genq/metrics/metrics.hpp"
#include "genq/ws/pusher_options.hpp"
#include "genq/ws/pusher_server.hpp"

namespace genq::app {

// --pusher-app-id, --pusher-key, --pusher-secret, limits and timeouts (GENQ_PUSHER_*).
void add_pusher_options(CLI::App& cmd, PusherConfig& config);
// The server's options; credentials not given are the secrets "pusher-app-id",
// "pusher-key" and "pusher-secret", created on first use.
Result<ws::PusherOptions> resolve_pusher_options(const PusherConfig& config, const SecretSource& secrets);
// genq_ws_* gauges and counters on /metrics.
void add_pusher_metrics(Metrics& metrics, ws::PusherServer& server);

}  // namespace genq::app
