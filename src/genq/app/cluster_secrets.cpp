#include "genq/app/cluster_secrets.hpp"

#include <cstdlib>

#include "genq/crypto/crypto.hpp"
#include "genq/store/secret_store.hpp"

namespace genq::app {

SecretSource secret_source(const DataDir& dir, Store& store) {
  auto* shared = dynamic_cast<SecretStore*>(&store);
  if (!shared) {
    return [&dir](const std::string& name, const std::function<std::string()>& make) {
      return read_or_create_secret(dir, name, make);
    };
  }
  return [&dir, shared](const std::string& name, const std::function<std::string()>& make) {
    // No data directory (genq admin --store): nothing to bring along.
    std::optional<std::string> from_file = dir.root.empty() ? std::nullopt : read_secret(dir, name);
    return shared->shared_secret(name, from_file ? *from_file : make());
  };
}

Result<std::string> admin_token(const SecretSource& secrets) {
  if (const char* env = std::getenv("GENQ_ADMIN_TOKEN"); env && *env) return std::string(env);
  return secrets("admin-token", [] { return crypto::random_token("gqa_", 32); });
}

}  // namespace genq::app
