// Signed download URLs as anyone can forge them: verify never accepts what sign did not
// make (for the same key and expiry), and always accepts what it did.
#include <chrono>

#include "fuzz_input.hpp"
#include "genq/blob/url_signer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  genq::fuzz::FuzzInput input(data, size);
  const genq::UrlSigner signer("fuzz-secret", "http://127.0.0.1:8080");
  const genq::TimePoint now{std::chrono::seconds(1'700'000'000)};
  const std::string_view key = input.field();
  const std::string_view expires = input.field();
  const std::string_view signature = input.field();
  if (signer.verify(key, expires, signature, now)) {
    // Accepted: it must be exactly the signature sign() makes for this key and expiry.
    std::uint64_t seconds = 0;
    for (char c : expires) {
      if (c < '0' || c > '9' || seconds > 1'000'000'000'000) return 0;  // verify's own parse decides
      seconds = seconds * 10 + static_cast<std::uint64_t>(c - '0');
    }
    const auto ttl = std::chrono::seconds(static_cast<std::int64_t>(seconds) - 1'700'000'000);
    const std::string url = signer.sign(key, now, ttl);
    if (!url.ends_with(std::string("signature=") + std::string(signature))) __builtin_trap();
  }
  const std::string url = signer.sign(key, now, std::chrono::seconds(60));
  const auto at = url.rfind("signature=");  // the key may contain the text too
  if (at == std::string::npos) __builtin_trap();
  if (!signer.verify(key, std::to_string(1'700'000'060), std::string_view(url).substr(at + 10), now)) __builtin_trap();
  return 0;
}
