#include "genq/api/queue_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "genq/api/guards.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

// Online workers (seen within WorkerSightings::kOnlineWindow or holding a lease) by the
// models they last asked for; one that named none serves every model.
std::map<std::string, int, std::less<>> workers_by_model(const std::vector<WorkerRecord>& workers, TimePoint now,
                                                         const catalog::Catalog& catalog) {
  std::map<std::string, int, std::less<>> counts;
  for (const WorkerRecord& worker : workers) {
    const bool online = now - worker.last_seen_at <= WorkerSightings::kOnlineWindow || !worker.current_jobs.empty();
    if (!online) continue;
    if (worker.models.empty()) {
      for (const auto& model : catalog.models()) ++counts[model.name];
    } else {
      for (const std::string& model : worker.models) ++counts[model];
    }
  }
  return counts;
}

// GET /api/v1/client/queue -> {"data":[{"model","pending","running","workers",
// "jobs_per_minute","estimated_wait_s"}]}, every catalog model, by name.
void handle_queue(Services& services, http::Request&, http::Reply reply, const Client&) {
  auto loads = services.jobs.store().load_by_model();
  if (!loads) return reply(http::response_for(loads.error()));
  const TimePoint now = services.jobs.clock().now();
  auto workers = services.jobs.store().list_workers(now - WorkerSightings::kOnlineWindow, now);
  if (!workers) return reply(http::response_for(workers.error()));
  const auto serving = workers_by_model(*workers, now, services.catalog);

  std::vector<const catalog::ModelSpec*> models;
  for (const auto& model : services.catalog.models()) models.push_back(&model);
  std::sort(models.begin(), models.end(), [](auto* a, auto* b) { return a->name < b->name; });
  boost::json::array data;
  for (const catalog::ModelSpec* model : models) {
    std::int64_t pending = 0;
    std::int64_t running = 0;
    for (const ModelLoad& load : *loads) {
      if (load.model == model->name) {
        pending = load.pending;
        running = load.processing;
      }
    }
    const auto found = serving.find(model->name);
    const auto rate = services.jobs.throughput().jobs_per_second(model->name, now);
    // A job submitted now waits for those already pending, then for a slot.
    const auto wait = services.jobs.throughput().seconds_for(model->name, pending + 1, now);
    data.push_back(boost::json::object{
        {"model", model->name},
        {"pending", pending},
        {"running", running},
        {"workers", found == serving.end() ? 0 : found->second},
        {"jobs_per_minute", rate ? boost::json::value(std::round(*rate * 600.0) / 10.0) : boost::json::value(nullptr)},
        {"estimated_wait_s", wait ? boost::json::value(*wait) : boost::json::value(nullptr)}});
  }
  reply(http::json_response(200, boost::json::object{{"data", std::move(data)}}));
}

}  // namespace

void add_client_queue_routes(http::Router& router, Services& services) {
  // Pool: two database reads.
  router.add(for_clients(services, {http::Verb::get, "/api/v1/client/queue", client_route(services, handle_queue),
                                    http::Exec::Pool, 0, false, "queue"}));
}

}  // namespace genq::api
