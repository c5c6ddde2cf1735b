#pragma once
// The key that seals webhook signing secrets in the store (store/sealed_secrets.hpp):
//   - GENQ_SECRETS_KEY (64 hex digits or the base64 of 32 bytes) when set: kept apart
//     from the data, so a copy of the database or of the whole data directory holds no
//     usable secret. Every node of a cluster needs the same value.
//   - else the cluster secret "secrets-key": DIR/secrets-key (0600) with SQLite, made on
//     first start; with a shared store, its cluster_secrets table, where it protects
//     nothing against a database dump, which the start log says.
//   - GENQ_SECRETS_KEY_PREVIOUS, while changing keys: the key they were sealed with
//     until now. The first process started with both seals every stored secret again
//     with the new key, in one transaction; the old key can then be dropped.
// docs/security.md states the threat model.
#include <cstdint>
#include <string>

#include "genq/app/cluster_secrets.hpp"
#include "genq/core/error.hpp"
#include "genq/store/store.hpp"

namespace genq::app {

struct SealingStarted {
  std::int64_t sealed_now = 0;  // values the store still held in plain text
  // The key came from a shared store's own table (no GENQ_SECRETS_KEY): it guards
  // nothing against a dump of that database. `genq serve` warns; `genq admin`, whose
  // stdout is its JSON answer, says nothing.
  bool key_beside_data = false;
  std::string key_id;  // of the key now sealing them
};

// Installs the key for this process and seals what `store` still holds in plain text.
// Invalid when the key is malformed, or not the one the store's secrets are sealed
// with. Logs nothing.
Result<SealingStarted> start_sealing_secrets(const SecretSource& secrets, Store& store, bool shared_store);

}  // namespace genq::app
