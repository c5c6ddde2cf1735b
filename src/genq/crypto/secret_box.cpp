#include "genq/crypto/secret_box.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "genq/crypto/crypto.hpp"

namespace genq::crypto {
namespace {

constexpr std::string_view kPrefix = "gqsealed:v1:";
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::optional<std::string> from_hex(std::string_view text) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int high = nibble(text[i]);
    int low = nibble(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

const unsigned char* bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }
unsigned char* bytes(std::string& text) { return reinterpret_cast<unsigned char*>(text.data()); }

}  // namespace

Result<SecretBox> SecretBox::from_key_text(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  if (text.size() == 2 * kKeyBytes) {
    if (std::optional<std::string> key = from_hex(text)) return SecretBox(std::move(*key));
  }
  std::string decoded;
  if (base64_decode(text, decoded) && decoded.size() == kKeyBytes) return SecretBox(std::move(decoded));
  return fail(Error::invalid("a secrets key must be 64 hex digits or the base64 of 32 bytes"));
}

std::string SecretBox::new_key_text() { return to_hex(random_bytes(kKeyBytes)); }

SecretBox::SecretBox(std::string key) : key_(std::move(key)), key_id_(sha256_hex(key_).substr(0, 8)) {}

std::string SecretBox::sealed_prefix() const { return std::string(kPrefix) + key_id_ + ":"; }

bool SecretBox::is_sealed(std::string_view stored) { return stored.starts_with(kPrefix); }

std::string SecretBox::seal(std::string_view plain) const {
  std::string sealed(kNonceBytes + plain.size() + kTagBytes, '\0');
  const std::string nonce = random_bytes(kNonceBytes);
  sealed.replace(0, kNonceBytes, nonce);
  CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int written = 0;
  int finished = 0;
  // GCM never fails on valid sizes; a failure here is a broken OpenSSL, not bad input.
  if (!context || EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(context.get(), bytes(sealed) + kNonceBytes, &written, bytes(plain),
                        static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(context.get(), bytes(sealed) + kNonceBytes + written, &finished) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          bytes(sealed) + kNonceBytes + plain.size()) != 1) {
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  return sealed_prefix() + base64_encode(sealed);
}

std::optional<std::string> SecretBox::open(std::string_view sealed) const {
  const std::string prefix = sealed_prefix();
  if (!sealed.starts_with(prefix)) return std::nullopt;
  std::string raw;
  if (!base64_decode(sealed.substr(prefix.size()), raw) || raw.size() < kNonceBytes + kTagBytes) {
    return std::nullopt;
  }
  const std::size_t text_size = raw.size() - kNonceBytes - kTagBytes;
  std::string plain(text_size, '\0');
  std::string tag = raw.substr(kNonceBytes + text_size);
  CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int written = 0;
  int finished = 0;
  if (!context || EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), bytes(raw)) != 1 ||
      EVP_DecryptUpdate(context.get(), bytes(plain), &written, bytes(raw) + kNonceBytes,
                        static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag.data()) != 1 ||
      EVP_DecryptFinal_ex(context.get(), bytes(plain) + written, &finished) != 1) {
    return std::nullopt;
  }
  return plain;
}

}  // namespace genq::crypto
