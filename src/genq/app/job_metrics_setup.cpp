#include "genq/app/job_metrics_setup.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace genq::app {
namespace {

using Samples = std::vector<std::pair<std::string, double>>;

// Catalog models first (each with a zero), then whatever else `values` names.
std::map<std::string, double> with_every_model(const catalog::Catalog& catalog, std::map<std::string, double> values) {
  for (const auto& model : catalog.models()) values.try_emplace(model.name, 0.0);
  return values;
}

Samples by_model(const std::map<std::string, double>& values) {
  Samples out;
  out.reserve(values.size());
  for (const auto& [model, value] : values) out.emplace_back(label("model", model), value);
  return out;
}

}  // namespace

void add_job_metrics(Metrics& metrics, JobService& jobs, ClaimDispatcher& claims, const Store& store,
                     const catalog::Catalog& catalog) {
  metrics.add_gauge("genq_jobs", "Jobs not yet final in the store, by status.", [&jobs] {
    Samples out;
    if (auto c = jobs.counts()) {
      out = {{"status=\"pending\"", static_cast<double>(c->pending)},
             {"status=\"processing\"", static_cast<double>(c->processing)},
             {"status=\"in_progress\"", static_cast<double>(c->in_progress)}};
    }
    return out;
  });
  for (const auto& model : catalog.models()) jobs.metrics().add_model(model.name);
  metrics.add_collector([&jobs](Exposition& out) { jobs.metrics().render(out); });

  // One store query serves both queue families.
  metrics.add_collector([&jobs, &catalog](Exposition& out) {
    auto queues = jobs.queues();
    std::map<std::string, double> depth, age;
    if (queues) {
      const TimePoint now = jobs.clock().now();
      for (const auto& q : *queues) {
        depth[q.model] = static_cast<double>(q.pending);
        age[q.model] = std::max(0.0, std::chrono::duration<double>(now - q.oldest_created_at).count());
      }
    }
    out.family("genq_queue_depth", "Pending jobs, by model (every node's: read from the store).", "gauge");
    if (queues) {
      for (const auto& [labels, value] : by_model(with_every_model(catalog, std::move(depth)))) {
        out.sample("genq_queue_depth", labels, value);
      }
    }
    out.family("genq_queue_oldest_age_seconds",
               "Time since the submit of the oldest pending job, by model; 0 when none waits.", "gauge");
    if (queues) {
      for (const auto& [labels, value] : by_model(with_every_model(catalog, std::move(age)))) {
        out.sample("genq_queue_oldest_age_seconds", labels, value);
      }
    }
  });
  metrics.add_gauge("genq_workers_connected",
                    "Workers that claimed or reported a job of the model through this node within the last minute.",
                    [&jobs, &catalog] {
                      std::map<std::string, double> seen;
                      for (const auto& [model, n] : jobs.workers().count_by_model(jobs.clock().now())) {
                        seen[model] = n;
                      }
                      return by_model(with_every_model(catalog, std::move(seen)));
                    });
  metrics.add_gauge("genq_claim_waiters", "Worker long-polls waiting for a job.", [&claims] {
    return Samples{{"", static_cast<double>(claims.waiting())}};
  });
  metrics.add_collector([&store](Exposition& out) {
    out.family("genq_store_commit_batch_size",
               "Writes per committed store transaction (group commit: many requests share one fsync).",
               "histogram");
    out.histogram("genq_store_commit_batch_size", "", store.commit_batch_sizes().snapshot());
    out.family("genq_store_commit_seconds", "Time of one store transaction, from BEGIN to COMMIT (fsync included).",
               "histogram");
    out.histogram("genq_store_commit_seconds", "", store.commit_seconds().snapshot());
  });
}

}  // namespace genq::app
