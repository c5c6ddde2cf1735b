#include "genq/runner/backends/backend.hpp"
#include "genq/runner/backends/synthetic_backend.hpp"

namespace genq::runner {

Result<std::unique_ptr<Backend>> make_backend(const std::string& name, const BackendOptions& options) {
  if (name == "synthetic") {
    return std::make_unique<SyntheticBackend>(options);
  }
  return fail(Error::invalid("unknown backend \"" + name + "\" (available: synthetic)"));
}

}  // namespace genq::runner
