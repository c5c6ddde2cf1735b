// The Authorization header as any client may send it: the bearer token genq reads is
// exactly what follows a case-insensitive "Bearer " less trailing blanks, or nothing,
// and hashing it for the credential lookup takes any bytes.
#include <cctype>

#include "fuzz_input.hpp"
#include "genq/crypto/crypto.hpp"
#include "genq/http/request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  genq::fuzz::FuzzInput input(data, size);
  const std::string_view value = input.rest();
  genq::http::Request request;
  request.headers.set("Authorization", value);
  const std::string token = request.bearer_token();
  const std::string stored(request.headers["Authorization"]);
  constexpr std::string_view kPrefix = "bearer ";
  bool prefixed = stored.size() > kPrefix.size();
  for (std::size_t i = 0; prefixed && i < kPrefix.size(); ++i) {
    prefixed = std::tolower(static_cast<unsigned char>(stored[i])) == kPrefix[i];
  }
  if (!prefixed && !token.empty()) __builtin_trap();
  if (prefixed) {
    std::string expected = stored.substr(kPrefix.size());
    while (!expected.empty() && (expected.back() == ' ' || expected.back() == '\t')) expected.pop_back();
    if (token != expected) __builtin_trap();
  }
  if (!token.empty() && (token.back() == ' ' || token.back() == '\t')) __builtin_trap();
  if (genq::crypto::sha256_hex(token).size() != 64) __builtin_trap();
  return 0;
}
