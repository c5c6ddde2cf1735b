// `genq serve`: wires the store, blob store, bus, services and routes together,
// runs the HTTP server and the housekeeping timers until SIGINT/SIGTERM.
#include <malloc.h>
#include <sys/resource.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "genq/api/admin_routes.hpp"
#include "genq/api/api_docs_routes.hpp"
#include "genq/api/client_routes.hpp"
#include "genq/api/ops_routes.hpp"
#include "genq/api/sdk_routes.hpp"
#include "genq/api/status_stream_routes.hpp"
#include "genq/api/openai/openai_routes.hpp"
#include "genq/api/task_routes.hpp"
#include "genq/api/task_view.hpp"
#include "genq/api/web_app_routes.hpp"
#include "genq/app/catalog_source.hpp"
#include "genq/app/cluster_secrets.hpp"
#include "genq/app/commands.hpp"
#include "genq/app/data_dir.hpp"
#include "genq/app/job_metrics_setup.hpp"
#include "genq/app/pusher_setup.hpp"
#include "genq/app/secrets_key.hpp"
#include "genq/app/webhook_setup.hpp"
#include "genq/app/blob_choice.hpp"
#include "genq/bus/in_process_event_bus.hpp"
#include "genq/bus/redis/redis_event_bus.hpp"
#include "genq/bus/redis/redis_rate_windows.hpp"
#include "genq/crypto/crypto.hpp"
#include "genq/service/download_url.hpp"
#include "genq/http/access_log.hpp"
#include "genq/http/tls_certificate.hpp"
#include "genq/http/server.hpp"
#include "genq/app/store_choice.hpp"
#include "genq/webhook/target_check.hpp"
#include "genq/worker/worker_routes.hpp"
#include "genq/ws/channel_name.hpp"
#include "genq/ws/frames.hpp"
#include "genq/ws/job_events.hpp"
#include "genq/ws/pusher_server.hpp"
#include "genq/ws/routes.hpp"

namespace genq::app {

namespace {

// A busy server's heap grows and shrinks by megabytes a second (bodies, jobs, replies,
// across the I/O and store threads); glibc's defaults give that memory back and fault
// it in again each time: sysmalloc and page faults were 8% of a submit's CPU. Up to
// 64 MiB of free heap is kept instead; nothing is touched until it is needed, so the
// idle footprint does not change.
void keep_freed_heap() {
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

// Each connection, upload and SQLite file holds a descriptor, and the usual soft limit
// (1,024) is far below what a server of idle WebSockets needs; the hard limit is what
// the operator allows. Raised once at start and reported. Returns the limit.
std::uint64_t raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  spdlog::info("file descriptors: up to {} (RLIMIT_NOFILE)", static_cast<unsigned long long>(limit.rlim_cur));
  return limit.rlim_cur;
}

// Connections past the descriptor limit would leave none for the files, the database
// and webhooks, and put the accept loop into its EMFILE back-off for everyone.
std::size_t default_max_connections(std::uint64_t descriptors) {
  constexpr std::uint64_t kReserved = 256;
  return static_cast<std::size_t>(std::max<std::uint64_t>(descriptors > kReserved ? descriptors - kReserved : 0, 16));
}

// Runs `work` on the blocking pool every `period` until the io_context stops.
class PeriodicTask {
 public:
  PeriodicTask(boost::asio::io_context& ioc, boost::asio::thread_pool& pool, Millis period,
               std::function<void()> work)
      : timer_(ioc), pool_(pool), period_(period), work_(std::move(work)) {}
  void start() { arm(); }

 private:
  void arm() {
    timer_.expires_after(period_);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      boost::asio::post(pool_, [this] {
        work_();
        arm();
      });
    });
  }
  boost::asio::steady_timer timer_;
  boost::asio::thread_pool& pool_;
  Millis period_;
  std::function<void()> work_;
};

// The bus --bus names: the in-process one for a single server, Redis for a cluster.
// Null with a message on stderr when the URL is not understood.
struct ChosenBus {
  std::unique_ptr<EventBus> bus;
  bus::RedisEventBus* redis = nullptr;  // the same object when it is Redis
};
std::optional<ChosenBus> choose_bus(const std::string& spec, bus::JobLoader loader) {
  ChosenBus chosen;
  if (spec.empty() || spec == "in-process") {
    chosen.bus = std::make_unique<InProcessEventBus>();
    return chosen;
  }
  auto endpoint = bus::parse_redis_url(spec);
  if (!endpoint) {
    std::cerr << "genq serve: " << endpoint.error().message << "\n";
    return std::nullopt;
  }
  bus::RedisBusOptions options;
  options.endpoint = *endpoint;
  auto redis = std::make_unique<bus::RedisEventBus>(std::move(options), std::move(loader));
  spdlog::info("event bus: {} (node {})", endpoint->describe(), redis->node_id());
  chosen.redis = redis.get();
  chosen.bus = std::move(redis);
  return chosen;
}

// A graceful stop: no new connections; every request already read is answered (a
// committed submit gets its 200, so a client without an Idempotency-Key does not send
// it again); long polls and held submits are answered at once; WebSockets are closed
// with 4200, which tells Pusher clients to reconnect (to this server once it is back).
// Returns when every connection has closed or `timeout` has passed.
void drain_connections(http::Server& server, ClaimDispatcher& claims, JobWaiters& waiters, ws::PusherServer& pusher,
                       api::StatusStreams& streams, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  server.drain();
  claims.stop_waiting();
  waiters.stop_waiting();
  pusher.close_all(ws::code::kReconnect, "Server is restarting");
  streams.close_all();  // EventSource clients reconnect and resume from their last event
  auto open = [&] { return server.busy_sessions() + pusher.connection_count() + streams.count(); };
  while (open() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (open() > 0) {
    spdlog::warn("shutdown timeout ({} s) passed with {} HTTP and {} WebSocket connection(s) still open: closing them",
                 timeout.count(), server.busy_sessions(), pusher.connection_count());
  } else {
    spdlog::info("every connection answered and closed");
  }
}

// Pub/sub is lossy (docs/scale-out.md, "Failures"): long-polls that heard nothing for
// a while claim again, prompt waits re-read their jobs, and right after the bus
// (re)connects everyone does, since the changes of the outage are gone.
void recheck_lost_events(const EventBus& bus, bool& was_ready, ClaimDispatcher& claims, JobWaiters& waiters) {
  const bool ready = bus.health().ready;
  const bool reconnected = ready && !was_ready;
  was_ready = ready;
  claims.recheck(reconnected ? Millis(0) : Millis(5000));
  waiters.recheck();
}

// SIGHUP: new connections get the certificate now in the files (a renewal); open ones
// keep theirs. A file that does not load changes nothing.
void reload_certificate(http::TlsCertificate& tls) {
  if (auto reloaded = tls.reload(); !reloaded) {
    spdlog::error("TLS certificate not reloaded, still serving the previous one: {}", reloaded.error().message);
    return;
  }
  spdlog::info("TLS certificate reloaded: {}", tls.description());
}

}  // namespace

int serve(const ServeConfig& config) {
  keep_freed_heap();
  const std::uint64_t descriptors = raise_descriptor_limit();
  std::string host;
  unsigned short port = 0;
  if (!split_host_port(config.listen, host, port)) {
    std::cerr << "genq serve: --listen must be HOST:PORT, got '" << config.listen << "'\n";
    return 2;
  }
  // Before anything is opened: a certificate that does not load is a startup error,
  // not a server that answers nothing.
  std::shared_ptr<http::TlsCertificate> tls;
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    std::cerr << "genq serve: --tls-cert and --tls-key go together: give both (HTTPS) or neither (HTTP)\n";
    return 2;
  }
  if (!config.tls_cert.empty()) {
    auto loaded = http::TlsCertificate::load(config.tls_cert, config.tls_key);
    if (!loaded) {
      std::cerr << "genq serve: " << loaded.error().message << "\n";
      return 1;
    }
    tls = std::move(*loaded);
  }
  auto dir = open_data_dir(config.data_dir);
  if (!dir) {
    std::cerr << "genq serve: " << dir.error().message << "\n";
    return 1;
  }
  auto webhook_policy = webhook_address_policy(config);
  if (!webhook_policy) {
    std::cerr << "genq serve: " << webhook_policy.error().message << "\n";
    return 1;
  }
  if (config.bus != "in-process" && !config.bus.empty()) {
    if (auto endpoint = bus::parse_redis_url(config.bus); !endpoint) {
      std::cerr << "genq serve: " << endpoint.error().message << "\n";
      return 2;
    }
  }
  auto catalog = load_catalog(config.catalog_path);
  if (!catalog) {
    std::cerr << "genq serve: bad model catalog: " << catalog.error().message << "\n";
    return 1;
  }
  // Balances are kept in one currency: the catalog's, which must then be the same for
  // every model.
  std::string billing_currency = catalog->models().empty() ? "USD" : catalog->models().front().pricing.currency;
  for (const auto& model : catalog->models()) {
    if (config.billing && model.pricing.currency != billing_currency) {
      std::cerr << "genq serve: --billing needs one currency for every model; " << model.name << " is priced in "
                << model.pricing.currency << ", others in " << billing_currency << "\n";
      return 1;
    }
  }

  StoreChoice store_choice;
  store_choice.url = config.store_url;
  store_choice.sqlite_path = dir->database().string();
  store_choice.sqlite_sync_full = config.sqlite_sync != "normal";
  store_choice.hear_account_changes = true;
  auto node_clock = open_clock(store_choice);
  if (!node_clock) {
    std::cerr << "genq serve: cannot open " << describe(store_choice) << ": " << node_clock.error().message << "\n";
    return 1;
  }
  const Clock& clock = **node_clock;
  auto store = open_store(store_choice, clock);
  if (!store) {
    std::cerr << "genq serve: cannot open " << describe(store_choice) << ": " << store.error().message << "\n";
    return 1;
  }
  // After the store: with a shared one, every node reads the same secrets from it.
  const SecretSource secrets = secret_source(*dir, **store);
  auto sealed = start_sealing_secrets(secrets, **store, !store_choice.url.empty());
  if (!sealed) {
    std::cerr << "genq serve: " << sealed.error().message << "\n";
    return 1;
  }
  if (sealed->sealed_now > 0) {
    spdlog::info("webhook secrets: sealed {} with secrets key {} (stored in plain text, or with the previous key)",
                 sealed->sealed_now, sealed->key_id);
  }
  if (sealed->key_beside_data) {
    spdlog::warn("webhook secrets are sealed with a key kept in the same database; set GENQ_SECRETS_KEY on every "
                 "node to keep it apart (docs/security.md)");
  }
  auto admin = admin_token(secrets);
  if (!admin) {
    std::cerr << "genq serve: " << admin.error().message << "\n";
    return 1;
  }
  auto signing_key = secrets("url-signing-key", [] { return crypto::to_hex(crypto::random_bytes(32)); });
  if (!signing_key) {
    std::cerr << "genq serve: " << signing_key.error().message << "\n";
    return 1;
  }
  auto pusher_options = resolve_pusher_options(config.pusher, secrets);
  if (!pusher_options) {
    std::cerr << "genq serve: " << pusher_options.error().message << "\n";
    return 1;
  }
  auto blobs = open_blob_store(config, *dir);
  if (!blobs) {
    std::cerr << "genq serve: files (--blobs): " << blobs.error().message << "\n";
    return 1;
  }
  spdlog::info("files: {}", (*blobs)->describe());

  // Jobs that another node changed are read from the store only for the subscribers
  // that want them, on the bus's own thread.
  auto chosen_bus = choose_bus(config.bus, [&store](const std::string& id) { return (*store)->get(id); });
  if (!chosen_bus) return 2;
  EventBus& bus = *chosen_bus->bus;
  ServiceOptions service_options;
  service_options.lease = Millis(config.lease_ms);
  service_options.max_attempts = config.max_attempts;
  service_options.url_ttl = std::chrono::seconds(config.url_ttl_s);
  service_options.max_preview_bytes = config.max_preview_bytes;
  service_options.result_ttl = std::chrono::seconds(config.result_ttl_s);
  service_options.job_retention = std::chrono::seconds(config.job_retention_s);
  JobService jobs(**store, **blobs, bus, clock, service_options);
  AccountService accounts(**store, *admin, clock);
  UrlSigner signer(*signing_key, "");
  Metrics metrics;
  boost::asio::thread_pool pool(static_cast<std::size_t>(std::max(1, config.blocking_threads)));

  http::Router router;
  http::ServerOptions server_options;
  server_options.host = host;
  server_options.port = port;
  server_options.io_threads = config.io_threads;
  server_options.header_limit = config.max_header_bytes;
  server_options.body_limit = config.max_json_bytes;
  server_options.read_timeout = Millis(config.read_timeout_ms);
  server_options.connection_limits.max_total =
      config.max_connections > 0 ? config.max_connections : default_max_connections(descriptors);
  server_options.connection_limits.max_per_address = config.max_connections_per_ip;
  server_options.tls = tls;
  server_options.upload_temp_path = [&blobs] { return (*blobs)->temp_path().string(); };
  server_options.on_request = [&metrics, access_log = config.access_log](const http::Route* route,
                                                                         const http::Request& request, unsigned status,
                                                                         std::chrono::microseconds latency) {
    metrics.observe_request(route ? std::string_view(route->name) : std::string_view("unmatched"), status, latency);
    if (access_log) http::log_access(request, status, latency);
  };
  // Pusher WebSockets share the API's port: GET /app/{key} with Upgrade: websocket.
  ws::PusherServer pusher(*pusher_options);
  // With Redis, presence, channel queries and published events span the cluster.
  ws::RedisPusherCluster* pusher_cluster = nullptr;
  if (chosen_bus->redis) {
    // choose_bus has parsed the same URL already.
    auto cluster = make_pusher_cluster(pusher, *bus::parse_redis_url(config.bus), chosen_bus->redis->node_id(),
                                       config.pusher);
    pusher_cluster = cluster.get();
    pusher.set_cluster(std::move(cluster));
  }
  server_options.upgrade.wants = &ws::PusherServer::wants;
  server_options.upgrade.take = [&pusher](auto&& stream, auto&& request, std::shared_ptr<void> slot) {
    pusher.accept(std::move(stream), std::move(request), std::move(slot));
  };
  http::Server server(server_options, router, pool);
  pusher.start(server.io_context());
  ClaimDispatcher claims(jobs, server.io_context());

  ApiOptions api_options;
  api_options.max_body_bytes = config.max_body_bytes;
  api_options.max_json_bytes = config.max_json_bytes;
  api_options.metrics_token = config.metrics_token;
  api_options.max_result_bytes = config.max_result_bytes;
  api_options.webhook_allow_http = config.webhook_allow_http;
  api_options.webhook_allow_private = config.webhook_allow_private;
  api_options.webhook_target_check = [policy = *webhook_policy](const std::string& url) {
    return webhook::target_refusal(url, policy);
  };
  api_options.webhook_secret_overlap = std::chrono::seconds(config.webhooks.secret_overlap_s);
  inputs::FetchLimits fetch_limits;
  fetch_limits.max_bytes = config.input_fetch_max_bytes;
  fetch_limits.timeout = std::chrono::seconds(config.input_fetch_timeout_s);
  fetch_limits.allow_http = config.webhook_allow_http;
  fetch_limits.policy = *webhook_policy;
  fetch_limits.max_concurrent = config.input_fetch_concurrency;
  inputs::InputFetcher input_fetcher(fetch_limits);
  api_options.fetch_input = [&input_fetcher](const std::string& url) { return input_fetcher.fetch(url); };
  api_options.prompt_wait = std::chrono::seconds(config.prompt_wait_s);
  // Webhooks: the job store writes each delivery in the transition's own transaction
  // (the outbox); the engine sends them. result_url is signed afresh at every attempt.
  std::unique_ptr<webhook::DeliveryEngine> deliveries;
  WebhookService webhooks(**store, **store, [&deliveries] { deliveries->wake(); });
  api_options.webhook_engine_problem = webhook_engine_problem(deliveries);
  // With Redis, the limits hold for the cluster: every node counts in the same windows.
  std::unique_ptr<bus::RedisRateWindows> shared_windows;
  if (chosen_bus->redis) shared_windows = std::make_unique<bus::RedisRateWindows>(*bus::parse_redis_url(config.bus));
  RateLimiter rate_limiter({config.rate_limit_per_minute, config.rate_limit_per_day}, shared_windows.get());
  Billing billing(**store, config.billing, billing_currency);
  // Waits re-read their jobs without blocking: batched on PostgreSQL.
  JobWaiters waiters([&jobs](const std::string& id, std::function<void(std::optional<Job>)> found) {
    jobs.get(id, [found = std::move(found)](Result<Job> job) {
      found(job ? std::optional<Job>(std::move(*job)) : std::nullopt);
    });
  });
  AltFormatCache alt_formats(**blobs, media::TranscodeLimits{});
  Services services{jobs,    accounts, claims,      *catalog, signer, metrics,    rate_limiter,
                    webhooks, billing,  waiters, alt_formats, bus,      api_options};
  auto result_url = [&blobs = **blobs, &signer, &clock, ttl = service_options.url_ttl](const std::string& key) {
    return download_url(blobs, signer, key, clock.now(), ttl);
  };
  // A second-dialect callback carries the statusTask body of the final state.
  // A client hears at once that its account webhook was disabled, on its own channel.
  auto tell_disabled = [&pusher](const DisabledEndpoint& endpoint) {
    const std::string channel = ws::client_channel(endpoint.client_id);
    const boost::json::object data{{"url", endpoint.url},
                                   {"reason", endpoint.reason},
                                   {"disabled_at", to_iso8601(endpoint.disabled_at)}};
    pusher.publish(channel, ws::event_frame(channel, "webhook.disabled", boost::json::serialize(data)));
  };
  deliveries = make_delivery_engine(config, *webhook_policy, **store, clock,
                                    [&services, result_url](const DueDelivery& delivery) {
                                      if (!delivery.callback) return webhook::render_body(delivery, result_url);
                                      return api::render_callback_body(delivery, services);
                                    },
                                    tell_disabled);

  bus.subscribe_summaries([&claims, &metrics, &jobs](const JobSummary& change) {
    // Each node counts the transitions it made, so the cluster's sum counts each once.
    if (!change.remote) metrics.count_transition(to_string(change.status));
    if (change.remote) jobs.on_remote_change(change);  // its own reach positions in publish
    // A job that ended frees a place under its client's max_running: a claim that
    // passed over that client's queued jobs may find one now.
    if (change.status == JobStatus::Pending || is_final(change.status)) claims.on_job_pending(change.model);
  });
  add_job_metrics(metrics, jobs, claims, **store, *catalog);

  api::StatusStreams status_streams(services);
  api::add_status_stream_routes(router, services, status_streams, bus);
  api::add_sdk_routes(router, services);
  api::openai::add_openai_routes(router, services);
  api::add_client_routes(router, services);
  api::add_task_routes(router, services);
  worker::add_worker_routes(router, services);
  api::add_admin_routes(router, services);
  api::add_ops_routes(router, services);
  api::add_api_docs_routes(router);
  api::add_web_app_routes(router);
  ws::add_pusher_routes(router, services, pusher);
  ws::JobEventPublisher job_events(pusher, services, bus,
                                   [&pool](std::function<void()> work) { boost::asio::post(pool, std::move(work)); });
  pusher.set_subscribed_hook([&job_events](const std::string& channel, std::shared_ptr<ws::Subscriber> subscriber) {
    job_events.replay(channel, std::move(subscriber));
  });
  bus.subscribe_jobs([&job_events](const JobSummary& change) { return job_events.wants(change); },
                     [&job_events](const Job& job) { job_events.on_job(job); });
  bus.subscribe_jobs([&status_streams](const JobSummary& change) { return status_streams.wants(change); },
                     [&status_streams](const Job& job) { status_streams.on_job(job); });
  bus.subscribe_jobs([&waiters](const JobSummary& change) { return waiters.wants(change); },
                     [&waiters](const Job& job) { waiters.on_job(job); });
  add_pusher_metrics(metrics, pusher);
  if (pusher_cluster) add_pusher_cluster_metrics(metrics, *pusher_cluster);
  metrics.add_gauge("genq_bus_ready", "1 while the event bus reaches the other nodes (always 1 in-process).", [&bus] {
    return std::vector<std::pair<std::string, double>>{{"", bus.health().ready ? 1.0 : 0.0}};
  });
  if (auto* redis = chosen_bus->redis) {
    const auto counter = [redis](std::uint64_t bus::RedisBusCounters::*field) {
      return [redis, field] {
        return std::vector<std::pair<std::string, double>>{{"", static_cast<double>(redis->counters().*field)}};
      };
    };
    metrics.add_counter("genq_bus_published_total", "Job changes sent to Redis.",
                        counter(&bus::RedisBusCounters::published));
    metrics.add_counter("genq_bus_received_total", "Other nodes' job changes received from Redis.",
                        counter(&bus::RedisBusCounters::received));
    metrics.add_counter("genq_bus_dropped_total", "Job changes never sent (queue full or connection lost).",
                        counter(&bus::RedisBusCounters::dropped));
    metrics.add_counter("genq_bus_loaded_total",
                        "Jobs read from the store for other nodes' changes someone here wanted.",
                        counter(&bus::RedisBusCounters::loaded));
  }
  // After the commit that queued them, so the delivery rows are there to read; only
  // then: waking the sender for every transition cost 6% of the CPU of a server whose
  // jobs have no webhook.
  (*store)->on_deliveries_queued([&deliveries] { deliveries->wake(); });
  add_webhook_metrics(metrics, *deliveries, webhooks);

  // Block the stop signals before any thread starts so only sigwait below sees them.
  // SIGHUP reloads the TLS certificate; without TLS it keeps its default (it ends genq).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (tls) sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto bound = server.listen();
  if (!bound) {
    std::cerr << "genq serve: " << bound.error().message << "\n";
    return 1;
  }
  // After every subscription, and only once nothing can return before the explicit
  // stop below: its threads call into the subscribers declared after it.
  if (chosen_bus->redis) chosen_bus->redis->start();
  std::string base = std::string(tls ? "https://" : "http://") + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                     std::to_string(*bound);
  std::string public_url = config.public_url.empty() ? base : config.public_url;
  while (!public_url.empty() && public_url.back() == '/') public_url.pop_back();
  signer.set_public_base(public_url);
  deliveries->start();  // after the public base is set: bodies carry signed result URLs

  Millis sweep_period = std::clamp(Millis(config.lease_ms / 4), Millis(100), Millis(1000));
  PeriodicTask requeue(server.io_context(), pool, sweep_period, [&jobs] {
    // Deadlines first: an attempt past its execution_timeout times out, it is not retried.
    if (auto n = jobs.expire_deadlines(); !n) spdlog::warn("deadline sweep failed: {}", n.error().message);
    if (auto n = jobs.requeue_expired(); !n) spdlog::warn("lease sweep failed: {}", n.error().message);
  });
  // Queue positions come from memory; rebuilt now and every minute to repair drift.
  if (auto loaded = jobs.load_queue(); !loaded) spdlog::warn("queue positions: {}", loaded.error().message);
  PeriodicTask queue_resync(server.io_context(), pool, Millis(60'000), [&jobs] {
    if (auto loaded = jobs.load_queue(); !loaded) spdlog::warn("queue positions: {}", loaded.error().message);
  });
  PeriodicTask retention(server.io_context(), pool, Millis(config.retention_interval_s * 1000), [&jobs, &blobs] {
    if (auto n = jobs.expire_results(); !n) {
      spdlog::warn("retention sweep failed: {}", n.error().message);
    } else if (*n > 0) {
      spdlog::info("retention: deleted {} expired files", *n);
    }
    if (auto n = jobs.delete_old_jobs(); !n) {
      spdlog::warn("job retention sweep failed: {}", n.error().message);
    } else if (*n > 0) {
      spdlog::info("retention: deleted {} finished jobs past --job-retention-s", *n);
    }
    if (std::size_t n = (*blobs)->remove_stale_temp_files(std::chrono::minutes(10)); n > 0) {
      spdlog::info("removed {} upload spool file(s) idle for 10 minutes", n);
    }
  });
  // Worker presence reaches the store here, off the claim path (worker_sightings.hpp).
  PeriodicTask worker_sightings(server.io_context(), pool, WorkerSightings::kFlushPeriod, [&jobs, &clock] {
    if (auto flushed = jobs.sightings().flush(clock.now()); !flushed) {
      spdlog::warn("worker presence: {}", flushed.error().message);
    }
  });
  PeriodicTask waiter_deadlines(server.io_context(), pool, Millis(1000), [&waiters, &clock] { waiters.expire(clock.now()); });
  waiter_deadlines.start();
  bool bus_was_ready = false;
  PeriodicTask bus_recheck(server.io_context(), pool, Millis(1000), [&bus, &bus_was_ready, &claims, &waiters] {
    recheck_lost_events(bus, bus_was_ready, claims, waiters);
  });
  if (chosen_bus->redis) bus_recheck.start();  // the in-process bus loses nothing
  requeue.start();
  retention.start();
  queue_resync.start();
  worker_sightings.start();
  server.run();

  spdlog::info("genq {} serving {} (data {}, catalog: {} models)", GENQ_VERSION, public_url, dir->root.string(),
               catalog->models().size());
  if (tls) spdlog::info("TLS certificate: {}", tls->description());
  std::cout << "listening on " << base << std::endl;  // std::endl flushes, also into pipes

  int received = 0;
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) reload_certificate(*tls);
  spdlog::info("received {}, shutting down", received == SIGINT ? "SIGINT" : "SIGTERM");
  drain_connections(server, claims, waiters, pusher, status_streams, std::chrono::seconds(config.shutdown_timeout_s));
  deliveries->stop();  // attempts in flight stay pending in the store and go out after a restart
  server.stop();
  server.join();
  // Before the subscribers it calls (pusher, waiters, claims) go away.
  if (chosen_bus->redis) chosen_bus->redis->stop();
  pusher.stop();
  pool.join();
  // Writes still queued are committed and answered (into the stopped server, which
  // drops the replies) before the services their callbacks use are destroyed.
  (*store)->drain();
  return 0;
}

}  // namespace genq::app
