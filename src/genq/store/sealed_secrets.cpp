#include "genq/store/sealed_secrets.hpp"

#include <spdlog/spdlog.h>

#include <atomic>

namespace genq {
namespace {

std::atomic<std::shared_ptr<const crypto::SecretBox>>& installed() {
  static std::atomic<std::shared_ptr<const crypto::SecretBox>> box;
  return box;
}

}  // namespace

void use_secret_box(std::shared_ptr<const crypto::SecretBox> box) { installed().store(std::move(box)); }

std::shared_ptr<const crypto::SecretBox> secret_box() { return installed().load(); }

std::string seal_secret(std::string_view plain) {
  std::shared_ptr<const crypto::SecretBox> box = secret_box();
  if (!box || plain.empty()) return std::string(plain);
  return box->seal(plain);
}

std::string open_secret(std::string_view stored) {
  if (!crypto::SecretBox::is_sealed(stored)) return std::string(stored);
  std::shared_ptr<const crypto::SecretBox> box = secret_box();
  std::optional<std::string> plain = box ? box->open(stored) : std::nullopt;
  if (!plain) {
    spdlog::error("a stored webhook secret cannot be opened with secrets key {}; deliveries it signs will not verify",
                  box ? box->key_id() : "(none installed)");
    return "";
  }
  return std::move(*plain);
}

}  // namespace genq
