#pragma once
// The worker's default backend: runs each model on the backend its catalog entry
// names ("backend": {"type": "synthetic" | "exec" | "http", ...}). Built once at
// start-up from the catalog; a model this machine cannot run (an exec tool not
// installed, a malformed backend object, an unknown type) is left out with the
// reason, and the worker claims only the models that remain. Immutable after
// create(); thread-safe (each model's backend is).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "genq/catalog/catalog.hpp"
#include "genq/runner/backends/backend.hpp"

namespace genq::runner {

// A model the worker will not run, and why.
struct SkippedModel {
  std::string model;
  std::string reason;
};

class CatalogBackend final : public Backend {
 public:
  static std::unique_ptr<CatalogBackend> create(const catalog::Catalog& catalog, const BackendOptions& options,
                                                std::vector<SkippedModel>& skipped);

  // The models this backend runs, in catalog order.
  const std::vector<std::string>& models() const { return models_; }

  Result<Output> run(const JobSpec& job, ProgressSink& progress, const std::atomic<bool>& cancelled) override;

 private:
  CatalogBackend() = default;

  std::vector<std::string> models_;
  std::vector<std::unique_ptr<Backend>> owned_;
  std::map<std::string, Backend*, std::less<>> by_model_;  // every name, slug and alias
};

}  // namespace genq::runner
