#pragma once
// The key that seals webhook signing secrets in the store (store/sealed_secrets.hpp):
//   - GENQ_SECRETS_KEY (64 hex digits or the base64 of 32 bytes) when set: kept apart
//     from the data, so a copy of the database or of the whole data directory holds no
//     usable secret. Every node of a cluster needs the same value.
//   - else the cluster secret "secrets-key": DIR/secrets-key (0600) with SQLite, made on
//     first start; with a shared store, its cluster_secrets table, where it protects
//     nothing against a database dump, which the start log says.
// docs/security.md states the threat model.
#include <cstdint>

#include "genq/app/cluster_secrets.hpp"
#include "genq/core/error.hpp"
#include "genq/store/store.hpp"

namespace genq::app {

// Installs the key for this process and seals what `store` still holds in plain text.
// Invalid when the key is malformed, or not the one the store's secrets are sealed
// with. Returns how many stored values it sealed now.
Result<std::int64_t> start_sealing_secrets(const SecretSource& secrets, Store& store, bool shared_store);

}  // namespace genq::app
