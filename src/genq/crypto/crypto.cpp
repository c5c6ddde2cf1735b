#include "genq/crypto/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace genq::crypto {
namespace {

std::string digest(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

// Given OpenSSL 3's legacy EVP_sha256(), every digest call looks the implementation
// up again (EVP_MD_fetch took a third of an API-key check); fetch it once instead.
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

}  // namespace

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) { return to_hex(digest(sha256_md(), data)); }
std::string md5_hex(std::string_view data) { return to_hex(digest(EVP_md5(), data)); }
std::string sha1(std::string_view data) { return digest(EVP_sha1(), data); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(sha256_md(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  return to_hex(hmac_sha256(key, data));
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  if (text.size() % 4 != 0) return false;
  out.assign(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return false;
  // EVP_DecodeBlock counts padding bytes as output; remove them.
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return true;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

std::string id_random_bytes(std::size_t n) {
  // One RAND_bytes call per 4 KiB instead of one per id: its locking and generator
  // bookkeeping were 4% of a submit's CPU, for 20 bytes.
  thread_local std::array<unsigned char, 4096> pool;
  thread_local std::size_t used = pool.size();
  if (n > pool.size()) {
    return random_bytes(n);
  }
  if (used + n > pool.size()) {
    if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1) {
      throw std::runtime_error("RAND_bytes failed");
    }
    used = 0;
  }
  std::string out(reinterpret_cast<const char*>(pool.data() + used), n);
  used += n;
  return out;
}

std::string random_token(std::string_view prefix, std::size_t n) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out(prefix);
  // 62 does not divide 256: reject bytes >= 248 so every symbol is equally likely.
  while (n > 0) {
    for (unsigned char c : random_bytes(n * 2)) {
      if (c >= 248) continue;
      out.push_back(kAlphabet[c % 62]);
      if (--n == 0) break;
    }
  }
  return out;
}

namespace {

std::string uuid_text(std::string bytes, int version) {
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | (version << 4));
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
  std::string h = to_hex(bytes);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

}  // namespace

std::string uuid_v4() { return uuid_text(random_bytes(16), 4); }

std::string uuid_v7(std::uint64_t unix_ms) {
  std::string bytes = id_random_bytes(16);
  for (int i = 0; i < 6; ++i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<char>((unix_ms >> (8 * (5 - i))) & 0xff);
  }
  return uuid_text(std::move(bytes), 7);
}

}  // namespace genq::crypto
