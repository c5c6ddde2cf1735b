#include "genq/service/worker_sightings.hpp"

namespace genq {

void WorkerSightings::seen(std::string_view worker_id, const WorkerToken& token,
                           const std::vector<std::string>* models, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = noted_.find(worker_id);
  if (it == noted_.end()) {
    it = noted_.emplace(std::string(worker_id), WorkerSighting{}).first;
    it->second.worker_id = std::string(worker_id);
  }
  WorkerSighting& sighting = it->second;
  if (sighting.token_id != token.id) {
    sighting.token_id = token.id;
    sighting.token_name = token.name;
  }
  if (models && sighting.models != *models) sighting.models = *models;
  sighting.seen_at = now;
}

Status WorkerSightings::flush(TimePoint now) {
  std::vector<WorkerSighting> batch;
  {
    std::lock_guard lock(mutex_);
    batch.reserve(noted_.size());
    for (auto& [id, sighting] : noted_) batch.push_back(std::move(sighting));
    noted_.clear();
  }
  // With nothing noted the forgetting waits: no write at all while no worker calls.
  if (batch.empty()) return {};
  return store_.record_workers(batch, now - kForgetAfter);
}

}  // namespace genq
