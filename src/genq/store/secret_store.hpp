#pragma once
// Secrets every node of a cluster must agree on (admin token, URL-signing key, Pusher
// app credentials), kept in the store the nodes share. postgres/ implements it; a
// SQLite node keeps them as files under --data instead (app/cluster_secrets.hpp).
#include <string>

#include "genq/core/error.hpp"

namespace genq {

// Thread-safe.
class SecretStore {
 public:
  virtual ~SecretStore() = default;
  // The secret called `name`: the one already stored, else `value_if_new`, stored now.
  // Nodes starting at once all get the value the first of them stored.
  virtual Result<std::string> shared_secret(const std::string& name, const std::string& value_if_new) = 0;
};

}  // namespace genq
