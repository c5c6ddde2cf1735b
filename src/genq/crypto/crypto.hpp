#pragma once
// Hashing, HMAC, encodings and randomness on OpenSSL. Pure functions; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>

namespace genq::crypto {

std::string sha256_hex(std::string_view data);
std::string md5_hex(std::string_view data);
// Raw 20-byte SHA-1; only for protocols that require it (the WebSocket handshake).
std::string sha1(std::string_view data);
// Raw 32-byte HMAC-SHA256.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

std::string to_hex(std::string_view bytes);
std::string base64_encode(std::string_view bytes);
// Empty optional-like: returns false on malformed input.
bool base64_decode(std::string_view text, std::string& out);

// Compares in time that depends only on the lengths, never on where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// Cryptographically random bytes (RAND_bytes).
std::string random_bytes(std::size_t n);
// Random bytes for identifiers and seeds, not secrets: from the same generator, drawn
// 4 KiB at a time per thread, so bytes for later ids wait in memory until used.
std::string id_random_bytes(std::size_t n);
// URL-safe random token: prefix + base62 of n random bytes, e.g. "gq_live_…".
std::string random_token(std::string_view prefix, std::size_t n = 24);
// RFC 4122 version-4 UUID, lowercase.
std::string uuid_v4();
// RFC 9562 version-7 UUID, lowercase: the first 48 bits are `unix_ms`, the other 74
// variable bits random. Ids made in time order sort in time order, so an index on them
// grows at its end instead of touching a random page per insert.
std::string uuid_v7(std::uint64_t unix_ms);

}  // namespace genq::crypto
