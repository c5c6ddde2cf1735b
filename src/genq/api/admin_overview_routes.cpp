#include "genq/api/admin_overview_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "genq/api/credential_view.hpp"
#include "genq/api/guards.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

boost::json::array string_array(const std::vector<std::string>& items) {
  return boost::json::array(items.begin(), items.end());
}

// GET /api/v1/admin/workers -> {"data":[{"worker_id","token_name","models","current_jobs",
// "last_seen_at","online"}]}, most recently seen first; workers seen in the last 24 h.
void list_workers(Services& services, http::Request&, http::Reply reply) {
  const TimePoint now = services.jobs.clock().now();
  auto workers = services.jobs.store().list_workers(now - WorkerSightings::kForgetAfter, now);
  if (!workers) return reply(http::response_for(workers.error()));
  boost::json::array data;
  for (const WorkerRecord& worker : *workers) {
    const bool online = now - worker.last_seen_at <= WorkerSightings::kOnlineWindow || !worker.current_jobs.empty();
    data.push_back(boost::json::object{{"worker_id", worker.worker_id},
                                       {"token_name", worker.token_name},
                                       {"models", string_array(worker.models)},
                                       {"current_jobs", string_array(worker.current_jobs)},
                                       {"last_seen_at", to_iso8601(worker.last_seen_at)},
                                       {"online", online}});
  }
  reply(http::json_response(200, boost::json::object{{"data", std::move(data)}}));
}

// GET /api/v1/admin/queue -> {"data":[{"model","pending","processing","oldest_pending_at",
// "oldest_wait_s"}]}, by model name; models with no pending or leased job left out.
void queue(Services& services, http::Request&, http::Reply reply) {
  auto loads = services.jobs.store().load_by_model();
  if (!loads) return reply(http::response_for(loads.error()));
  const TimePoint now = services.jobs.clock().now();
  boost::json::array data;
  for (const ModelLoad& load : *loads) {
    boost::json::value oldest = nullptr;
    boost::json::value wait = nullptr;
    if (load.oldest_pending_at) {
      oldest = boost::json::string(to_iso8601(*load.oldest_pending_at));
      const auto waited = std::max<std::int64_t>(0, (now - *load.oldest_pending_at).count());
      wait = static_cast<double>(waited) / 1000.0;  // seconds, to the millisecond
    }
    data.push_back(boost::json::object{{"model", load.model},
                                       {"pending", load.pending},
                                       {"processing", load.processing},
                                       {"oldest_pending_at", std::move(oldest)},
                                       {"oldest_wait_s", std::move(wait)}});
  }
  reply(http::json_response(200, boost::json::object{{"data", std::move(data)}}));
}

// GET /api/v1/admin/worker-tokens -> {"data":[worker_token_view…]}, oldest
// first. The token was shown once, at creation; not even its hash leaves the store.
void list_worker_tokens(Services& services, http::Request&, http::Reply reply) {
  auto tokens = services.accounts.store().list_worker_tokens();
  if (!tokens) return reply(http::response_for(tokens.error()));
  boost::json::array data;
  for (const WorkerToken& token : *tokens) data.push_back(worker_token_view(token));
  reply(http::json_response(200, boost::json::object{{"data", std::move(data)}}));
}

}  // namespace

void add_admin_overview_routes(http::Router& router, Services& services) {
  using http::Exec;
  using http::Verb;
  auto admin = [&services](AdminRoute route) { return admin_route(services, route); };
  // Pool: each reads the database.
  router.add(for_admins(services,
                        {Verb::get, "/api/v1/admin/workers", admin(list_workers), Exec::Pool, 0, false, "admin-workers"}));
  router.add(for_admins(services, {Verb::get, "/api/v1/admin/queue", admin(queue), Exec::Pool, 0, false, "admin-queue"}));
  router.add(for_admins(services, {Verb::get, "/api/v1/admin/worker-tokens", admin(list_worker_tokens), Exec::Pool, 0,
                                   false, "admin-worker-tokens"}));
}

}  // namespace genq::api
