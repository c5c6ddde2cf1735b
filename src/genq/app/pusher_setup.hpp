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
#include "genq/ws/redis_pusher_cluster.hpp"

#include <memory>

namespace genq::app {

// --pusher-app-id, --pusher-key, --pusher-secret, limits and timeouts (GENQ_PUSHER_*).
void add_pusher_options(CLI::App& cmd, PusherConfig& config);
// The server's options; credentials not given are the secrets "pusher-app-id",
// "pusher-key" and "pusher-secret", created on first use.
Result<ws::PusherOptions> resolve_pusher_options(const PusherConfig& config, const SecretSource& secrets);
// The Pusher server's cluster over the Redis of --bus (docs/scale-out.md), the node id
// shared with the event bus.
std::unique_ptr<ws::RedisPusherCluster> make_pusher_cluster(ws::PusherServer& server, const bus::RedisEndpoint& endpoint,
                                                            const std::string& node_id, const PusherConfig& config);
void add_pusher_cluster_metrics(Metrics& metrics, const ws::RedisPusherCluster& cluster);
// genq_ws_* gauges and counters on /metrics.
void add_pusher_metrics(Metrics& metrics, ws::PusherServer& server);

}  // namespace genq::app
