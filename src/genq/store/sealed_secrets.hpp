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
#include <optional>
#include <string>
#include <string_view>

#include "genq/core/error.hpp"
#include "genq/crypto/secret_box.hpp"

namespace genq {

// Installs `box` for this process; nullptr removes it (tests). `previous`, while a key
// is being changed: the key the stored secrets were sealed with until now, which opens
// them until they are sealed again with `box` (Store::seal_stored_secrets).
void use_secret_box(std::shared_ptr<const crypto::SecretBox> box,
                    std::shared_ptr<const crypto::SecretBox> previous = nullptr);
std::shared_ptr<const crypto::SecretBox> secret_box();
std::shared_ptr<const crypto::SecretBox> previous_secret_box();
// The previous key's id while a key is being changed, else nullopt.
std::optional<std::string> previous_secret_key_id();

// `plain` sealed with the installed key; unchanged when none is installed or `plain`
// is empty (empty means "no secret" in both tables).
std::string seal_secret(std::string_view plain);
// The plain secret of a stored value. A value stored in plain text (before sealing
// began) passes unchanged; one the key cannot open reads as "" and is logged, which
// signs nothing rather than something wrong. Stores refuse to start with a key other
// than the one their secrets were sealed with (Store::seal_stored_secrets), so that is
// a damaged value, not a wrong key.
std::string open_secret(std::string_view stored);

// What a stored value becomes under the installed key: nullopt when it is empty or
// already sealed with it; else sealed with it (a plain value, or one the previous key
// sealed). Invalid when no installed key opens it.
Result<std::optional<std::string>> sealed_with_current_key(std::string_view stored);

}  // namespace genq
