#include "genq/service/worker_presence.hpp"

#include <set>

namespace genq {

void WorkerPresence::claimed(std::string_view worker_id, const std::vector<std::string>& models, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = workers_.find(worker_id);
  if (it == workers_.end()) it = workers_.emplace(std::string(worker_id), Sightings{}).first;
  it->second.last_claim = now;
  // A worker asks for the same models claim after claim: copy them only when they change.
  if (it->second.claim_models != models) it->second.claim_models = models;
}

void WorkerPresence::reported(std::string_view worker_id, std::string_view model, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = workers_.find(worker_id);
  if (it == workers_.end()) it = workers_.emplace(std::string(worker_id), Sightings{}).first;
  auto report = it->second.reports.find(model);
  if (report == it->second.reports.end()) {
    it->second.reports.emplace(std::string(model), now);
  } else {
    report->second = now;
  }
}

std::map<std::string, int> WorkerPresence::count_by_model(TimePoint now) {
  std::map<std::string, int> counts;
  std::lock_guard lock(mutex_);
  for (auto worker = workers_.begin(); worker != workers_.end();) {
    Sightings& seen = worker->second;
    std::set<std::string_view> models;
    if (now - seen.last_claim <= window_) models.insert(seen.claim_models.begin(), seen.claim_models.end());
    for (auto report = seen.reports.begin(); report != seen.reports.end();) {
      if (now - report->second > window_) {
        report = seen.reports.erase(report);
      } else {
        models.insert(report->first);
        ++report;
      }
    }
    for (std::string_view model : models) ++counts[std::string(model)];
    if (models.empty()) {
      worker = workers_.erase(worker);
    } else {
      ++worker;
    }
  }
  return counts;
}

}  // namespace genq
