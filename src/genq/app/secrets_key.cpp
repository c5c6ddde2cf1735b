#include "genq/app/secrets_key.hpp"

#include <cstdlib>
#include <memory>

#include "genq/crypto/secret_box.hpp"
#include "genq/store/sealed_secrets.hpp"

namespace genq::app {

Result<SealingStarted> start_sealing_secrets(const SecretSource& secrets, Store& store, bool shared_store) {
  const char* env = std::getenv("GENQ_SECRETS_KEY");
  const bool from_env = env != nullptr && *env != '\0';
  Result<std::string> text =
      from_env ? Result<std::string>(std::string(env)) : secrets("secrets-key", &crypto::SecretBox::new_key_text);
  if (!text) return fail(std::move(text.error()));
  Result<crypto::SecretBox> box = crypto::SecretBox::from_key_text(*text);
  if (!box) {
    return fail(Error::invalid((from_env ? "GENQ_SECRETS_KEY: " : "the stored secrets-key: ") + box.error().message));
  }
  std::shared_ptr<const crypto::SecretBox> previous;
  if (const char* old = std::getenv("GENQ_SECRETS_KEY_PREVIOUS"); old != nullptr && *old != '\0') {
    Result<crypto::SecretBox> old_box = crypto::SecretBox::from_key_text(old);
    if (!old_box) return fail(Error::invalid("GENQ_SECRETS_KEY_PREVIOUS: " + old_box.error().message));
    previous = std::make_shared<const crypto::SecretBox>(std::move(*old_box));
  }
  const auto current = std::make_shared<const crypto::SecretBox>(std::move(*box));
  use_secret_box(current, previous);
  Result<std::int64_t> sealed = store.seal_stored_secrets();
  if (!sealed) return fail(std::move(sealed.error()));
  return SealingStarted{*sealed, !from_env && shared_store, current->key_id()};
}

}  // namespace genq::app
