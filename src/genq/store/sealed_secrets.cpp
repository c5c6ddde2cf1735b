#include "genq/store/sealed_secrets.hpp"

#include <spdlog/spdlog.h>

#include <atomic>

namespace genq {
namespace {

std::atomic<std::shared_ptr<const crypto::SecretBox>>& installed() {
  static std::atomic<std::shared_ptr<const crypto::SecretBox>> box;
  return box;
}

std::atomic<std::shared_ptr<const crypto::SecretBox>>& installed_previous() {
  static std::atomic<std::shared_ptr<const crypto::SecretBox>> box;
  return box;
}

// The installed key that sealed `stored`, if any.
std::shared_ptr<const crypto::SecretBox> box_that_sealed(std::string_view stored) {
  for (auto box : {secret_box(), previous_secret_box()}) {
    if (box && stored.starts_with(box->sealed_prefix())) return box;
  }
  return nullptr;
}

}  // namespace

void use_secret_box(std::shared_ptr<const crypto::SecretBox> box, std::shared_ptr<const crypto::SecretBox> previous) {
  installed_previous().store(std::move(previous));
  installed().store(std::move(box));
}

std::shared_ptr<const crypto::SecretBox> secret_box() { return installed().load(); }

std::shared_ptr<const crypto::SecretBox> previous_secret_box() { return installed_previous().load(); }

std::optional<std::string> previous_secret_key_id() {
  std::shared_ptr<const crypto::SecretBox> previous = previous_secret_box();
  if (!previous) return std::nullopt;
  return previous->key_id();
}

std::string seal_secret(std::string_view plain) {
  std::shared_ptr<const crypto::SecretBox> box = secret_box();
  if (!box || plain.empty()) return std::string(plain);
  return box->seal(plain);
}

std::string open_secret(std::string_view stored) {
  if (!crypto::SecretBox::is_sealed(stored)) return std::string(stored);
  std::shared_ptr<const crypto::SecretBox> box = box_that_sealed(stored);
  std::optional<std::string> plain = box ? box->open(stored) : std::nullopt;
  if (!plain) {
    std::shared_ptr<const crypto::SecretBox> current = secret_box();
    spdlog::error("a stored webhook secret cannot be opened with secrets key {}; deliveries it signs will not verify",
                  current ? current->key_id() : "(none installed)");
    return "";
  }
  return std::move(*plain);
}

Result<std::optional<std::string>> sealed_with_current_key(std::string_view stored) {
  std::shared_ptr<const crypto::SecretBox> current = secret_box();
  if (!current || stored.empty() || stored.starts_with(current->sealed_prefix())) return std::optional<std::string>();
  if (!crypto::SecretBox::is_sealed(stored)) return std::optional<std::string>(current->seal(stored));
  std::shared_ptr<const crypto::SecretBox> previous = box_that_sealed(stored);
  std::optional<std::string> plain = previous ? previous->open(stored) : std::nullopt;
  if (!plain) {
    return fail(Error::invalid("a stored webhook secret opens with neither secrets key " + current->key_id() +
                               " nor the previous one (GENQ_SECRETS_KEY_PREVIOUS)"));
  }
  return std::optional<std::string>(current->seal(*plain));
}

}  // namespace genq
