#include "genq/app/pusher_setup.hpp"

#include <CLI/CLI.hpp>

#include <random>

#include "genq/crypto/crypto.hpp"

namespace genq::app {

void add_pusher_options(CLI::App& cmd, PusherConfig& c) {
  cmd.add_option("--pusher-app-id", c.app_id, "Pusher app id for the HTTP API; default: generated on first start (data dir, or the shared --store)")
      ->envname("GENQ_PUSHER_APP_ID");
  cmd.add_option("--pusher-key", c.key, "Pusher app key clients connect with; default: generated on first start (data dir, or the shared --store)")
      ->envname("GENQ_PUSHER_KEY");
  cmd.add_option("--pusher-secret", c.secret, "Pusher app secret; default: generated on first start (data dir, or the shared --store)")
      ->envname("GENQ_PUSHER_SECRET");
  cmd.add_option("--pusher-activity-timeout-s", c.activity_timeout_s,
                 "Seconds of silence before a WebSocket ping (sent to clients as activity_timeout)")
      ->envname("GENQ_PUSHER_ACTIVITY_TIMEOUT_S")->check(CLI::Range(int64_t{1}, int64_t{3600}))->capture_default_str();
  cmd.add_option("--pusher-pong-timeout-s", c.pong_timeout_s,
                 "Seconds a client has to answer the server's ping before it is disconnected (4201)")
      ->envname("GENQ_PUSHER_PONG_TIMEOUT_S")->check(CLI::Range(int64_t{1}, int64_t{3600}))->capture_default_str();
  cmd.add_option("--pusher-max-buffer-bytes", c.max_buffer_bytes,
                 "Outbound bytes queued per WebSocket; past it a slow client is disconnected (4100)")
      ->envname("GENQ_PUSHER_MAX_BUFFER_BYTES")->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 32))
      ->capture_default_str();
  cmd.add_option("--pusher-max-message-bytes", c.max_message_bytes, "Largest WebSocket message a client may send")
      ->envname("GENQ_PUSHER_MAX_MESSAGE_BYTES")->check(CLI::Range(std::size_t{1024}, std::size_t{16} << 20))
      ->capture_default_str();
  cmd.add_option("--pusher-max-event-bytes", c.max_event_bytes,
                 "Largest event data a client event or an HTTP API trigger may carry")
      ->envname("GENQ_PUSHER_MAX_EVENT_BYTES")->check(CLI::Range(std::size_t{256}, std::size_t{16} << 20))
      ->capture_default_str();
  cmd.add_option("--pusher-max-channel-name", c.max_channel_name, "Longest channel name")
      ->envname("GENQ_PUSHER_MAX_CHANNEL_NAME")->check(CLI::Range(std::size_t{16}, std::size_t{1024}))
      ->capture_default_str();
  cmd.add_option("--pusher-max-presence-members", c.max_presence_members, "Most members of one presence channel")
      ->envname("GENQ_PUSHER_MAX_PRESENCE_MEMBERS")->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->capture_default_str();
  cmd.add_flag("--pusher-client-events", c.client_events,
               "Relay client-* events between subscribers of private and presence channels")
      ->envname("GENQ_PUSHER_CLIENT_EVENTS");
  cmd.add_option("--pusher-presence-channels", c.presence_channels,
                 "Presence channels API clients may join (comma-separated; a trailing * matches a prefix)")
      ->delimiter(',')->envname("GENQ_PUSHER_PRESENCE_CHANNELS");
  cmd.add_option("--pusher-node-timeout-ms", c.node_timeout_ms,
                 "With --bus redis://: drop a silent node's connections and presence members after this long")
      ->envname("GENQ_PUSHER_NODE_TIMEOUT_MS")->check(CLI::Range(std::int64_t{1000}, std::int64_t{600'000}))
      ->capture_default_str();
}

std::unique_ptr<ws::RedisPusherCluster> make_pusher_cluster(ws::PusherServer& server, const bus::RedisEndpoint& endpoint,
                                                            const std::string& node_id, const PusherConfig& config) {
  bus::RedisNodeLinkOptions options;
  options.endpoint = endpoint;
  options.channel = "genq:" + std::to_string(endpoint.db) + ":pusher";
  options.node_id = node_id;
  options.node_timeout = Millis(config.node_timeout_ms);
  options.heartbeat = Millis(config.node_timeout_ms / 4);
  return std::make_unique<ws::RedisPusherCluster>(server, std::move(options));
}

void add_pusher_cluster_metrics(Metrics& metrics, const ws::RedisPusherCluster& cluster) {
  using Samples = std::vector<std::pair<std::string, double>>;
  metrics.add_gauge("genq_ws_cluster_nodes", "Nodes this node hears on the Pusher cluster channel, itself included.",
                    [&cluster] { return Samples{{"", static_cast<double>(cluster.peers() + 1)}}; });
  metrics.add_gauge("genq_ws_cluster_ready", "1 while the Pusher cluster's Redis connections are up.",
                    [&cluster] { return Samples{{"", cluster.connected() ? 1.0 : 0.0}}; });
}

Result<ws::PusherOptions> resolve_pusher_options(const PusherConfig& c, const SecretSource& secrets) {
  ws::PusherOptions o;
  auto credential = [&secrets](const std::string& given, const char* name,
                               const std::function<std::string()>& make) -> Result<std::string> {
    if (!given.empty()) return given;
    return secrets(name, make);
  };
  // Pusher's app ids are numbers, keys 20 hex digits, secrets longer hex.
  auto app_id = credential(c.app_id, "pusher-app-id", [] {
    std::random_device random;
    return std::to_string(std::uniform_int_distribution<std::uint32_t>(100'000, 9'999'999)(random));
  });
  if (!app_id) return fail(app_id.error());
  auto key = credential(c.key, "pusher-key", [] { return crypto::to_hex(crypto::random_bytes(10)); });
  if (!key) return fail(key.error());
  auto secret = credential(c.secret, "pusher-secret", [] { return crypto::to_hex(crypto::random_bytes(16)); });
  if (!secret) return fail(secret.error());
  o.app_id = *app_id;
  o.key = *key;
  o.secret = *secret;
  o.activity_timeout = std::chrono::seconds(c.activity_timeout_s);
  o.pong_timeout = std::chrono::seconds(c.pong_timeout_s);
  o.max_buffer_bytes = c.max_buffer_bytes;
  o.max_message_bytes = c.max_message_bytes;
  o.max_event_bytes = c.max_event_bytes;
  o.max_channel_name = c.max_channel_name;
  o.max_presence_members = c.max_presence_members;
  o.client_events = c.client_events;
  o.presence_channels = c.presence_channels;
  return o;
}

void add_pusher_metrics(Metrics& metrics, ws::PusherServer& server) {
  using Samples = std::vector<std::pair<std::string, double>>;
  metrics.add_gauge("genq_ws_connections", "Open Pusher WebSocket connections.", [&server] {
    return Samples{{"", static_cast<double>(server.connection_count())}};
  });
  metrics.add_gauge("genq_ws_channels", "Occupied Pusher channels.", [&server] {
    return Samples{{"", static_cast<double>(server.registry().channel_count())}};
  });
  metrics.add_gauge("genq_ws_subscriptions", "Channel subscriptions over all connections.", [&server] {
    return Samples{{"", static_cast<double>(server.registry().subscription_count())}};
  });
  metrics.add_counter("genq_ws_events_total", "Pusher frames: published to channels, queued to connections, "
                                            "progress frames coalesced while queued.", [&server] {
    auto& c = server.counters();
    return Samples{{"kind=\"published\"", static_cast<double>(c.broadcasts.load())},
                   {"kind=\"delivered\"", static_cast<double>(c.deliveries.load())},
                   {"kind=\"coalesced\"", static_cast<double>(c.coalesced.load())}};
  });
  metrics.add_counter("genq_ws_closes_total",
                      "Connections the server closed: slow clients over their buffer (over_capacity, 4100), "
                      "no pong (pong_timeout, 4201).",
                    [&server] {
                      auto& c = server.counters();
                      return Samples{{"reason=\"over_capacity\"", static_cast<double>(c.overflow_closes.load())},
                                     {"reason=\"pong_timeout\"", static_cast<double>(c.pong_timeouts.load())}};
                    });
  metrics.add_counter("genq_ws_messages_total",
                      "WebSocket messages: received from clients (in), frames queued to clients (out: events and "
                      "protocol replies).",
                      [&server] {
                        auto& c = server.counters();
                        return Samples{{"direction=\"in\"", static_cast<double>(c.messages_in.load())},
                                       {"direction=\"out\"", static_cast<double>(c.messages_out.load())}};
                      });
  metrics.add_counter("genq_ws_connections_total", "Pusher WebSocket connections accepted since start.", [&server] {
    return Samples{{"", static_cast<double>(server.counters().connections_total.load())}};
  });
}

}  // namespace genq::app
