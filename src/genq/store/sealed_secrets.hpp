#pragma once
// Webhook signing secrets as the stores keep them: sealed with the process's secrets
// key (crypto/secret_box.hpp) on the way in, opened on the way out, so every layer
// above the store sees plain secrets and the database never holds one.
//
// The key is process configuration, installed once at start before the store serves
// (app/secrets_key.hpp), like the clock: passing it to every row reader of both stores
// would add a parameter to dozens of functions for one value that never changes.
// Without a key (store unit tests that do not ask for one) values pass unchanged.
// Thread-safe.
#include <memory>
#include <string>
#include <string_view>

#include "genq/crypto/secret_box.hpp"

namespace genq {

// Installs `box` for this process; nullptr removes it (tests).
void use_secret_box(std::shared_ptr<const crypto::SecretBox> box);
std::shared_ptr<const crypto::SecretBox> secret_box();

// `plain` sealed with the installed key; unchanged when none is installed or `plain`
// is empty (empty means "no secret" in both tables).
std::string seal_secret(std::string_view plain);
// The plain secret of a stored value. A value stored in plain text (before sealing
// began) passes unchanged; one the key cannot open reads as "" and is logged, which
// signs nothing rather than something wrong. Stores refuse to start with a key other
// than the one their secrets were sealed with (Store::seal_stored_secrets), so that is
// a damaged value, not a wrong key.
std::string open_secret(std::string_view stored);

}  // namespace genq
