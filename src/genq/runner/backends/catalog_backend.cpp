#include "genq/runner/backends/catalog_backend.hpp"

#include "genq/runner/backends/exec_backend.hpp"
#include "genq/runner/backends/http_backend.hpp"
#include "genq/runner/backends/synthetic_backend.hpp"
#include "genq/runner/find_program.hpp"

namespace genq::runner {
namespace {

bool outputs_file(const catalog::Catalog& catalog, const catalog::ModelSpec& model) {
  for (const std::string& task : model.tasks) {
    const catalog::TaskSpec* spec = catalog.find_task(task);
    if (spec != nullptr && (spec->output == catalog::OutputKind::Image || spec->output == catalog::OutputKind::Audio ||
                            spec->output == catalog::OutputKind::Video)) {
      return true;
    }
  }
  return false;
}

// The exec backend for `model`, or why this machine cannot run it.
Result<std::unique_ptr<Backend>> exec_backend(const catalog::Catalog& catalog, const catalog::ModelSpec& model) {
  auto config = parse_exec_config(model.backend, model);
  if (!config) {
    return fail(config.error());
  }
  if (outputs_file(catalog, model) && config->output_name.empty()) {
    return fail(Error::invalid("exec backend: a task of this model outputs a file, so \"output\" is required"));
  }
  if (outputs_file(catalog, model) && config->content_type.empty()) {
    return fail(Error::invalid("exec backend: say the output's \"content_type\" (its extension is unknown)"));
  }
  for (const std::string& program : config->programs()) {
    if (!find_program(program)) {
      return fail(Error::not_found(program + " is not installed (not found on PATH)"));
    }
  }
  return std::make_unique<ExecBackend>(std::move(*config));
}

}  // namespace

std::unique_ptr<CatalogBackend> CatalogBackend::create(const catalog::Catalog& catalog, const BackendOptions& options,
                                                       std::vector<SkippedModel>& skipped) {
  std::unique_ptr<CatalogBackend> backend(new CatalogBackend());
  Backend* synthetic = nullptr;
  for (const catalog::ModelSpec& model : catalog.models()) {
    const std::string type(model.backend.at("type").get_string());
    Backend* chosen = nullptr;
    if (type == "synthetic") {
      if (synthetic == nullptr) {
        synthetic = backend->owned_.emplace_back(std::make_unique<SyntheticBackend>(options)).get();
      }
      chosen = synthetic;
    } else if (type == "exec") {
      auto made = exec_backend(catalog, model);
      if (!made) {
        skipped.push_back({model.name, made.error().message});
        continue;
      }
      chosen = backend->owned_.emplace_back(std::move(*made)).get();
    } else if (type == "http") {
      auto config = parse_http_config(model.backend, model);
      if (!config) {
        skipped.push_back({model.name, config.error().message});
        continue;
      }
      chosen = backend->owned_.emplace_back(std::make_unique<HttpBackend>(std::move(*config))).get();
    } else {
      skipped.push_back({model.name, "unknown backend type \"" + type + "\" (known: synthetic, exec, http)"});
      continue;
    }
    backend->models_.push_back(model.name);
    backend->by_model_.emplace(model.name, chosen);
    backend->by_model_.emplace(model.slug, chosen);
    for (const std::string& alias : model.aliases) {
      backend->by_model_.emplace(alias, chosen);
    }
  }
  return backend;
}

Result<Output> CatalogBackend::run(const JobSpec& job, ProgressSink& progress, const std::atomic<bool>& cancelled) {
  const auto found = by_model_.find(job.model);
  if (found == by_model_.end()) {
    // The claim named only our models, so the server and this worker disagree on
    // the catalog: another worker may know the model.
    return fail(Error::unavailable("this worker does not run model " + job.model));
  }
  return found->second->run(job, progress, cancelled);
}

}  // namespace genq::runner
