#pragma once
// Moving files of real sizes (hundreds of MB) through genq without holding them in
// the test's memory: uploads read from a file (with Content-Length or chunked),
// downloads are hashed as they arrive. And the figures a streaming check needs: a
// file of seeded random bytes, its SHA-256, a process's peak RSS.
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace genq::testing {

enum class Framing { ContentLength, Chunked };

struct Transfer {
  long status = 0;            // 0 when no response came
  std::string body;           // an upload's answer; empty for downloads
  std::uint64_t bytes = 0;    // body bytes moved
  std::string sha256;         // downloads: lowercase hex of what arrived
  std::string transport_error;
};

// PUT (or another method) of the file at `path` to `url`, with `Authorization: Bearer`. `expect_continue`: send the
// header first and the body only after "100 Continue".
Transfer upload_file(const std::string& method, const std::string& url, const std::filesystem::path& path,
                     const std::string& content_type, Framing framing, const std::string& bearer_token,
                     bool expect_continue = false);
// GET of `url`, hashing the body instead of keeping it.
Transfer download_hashed(const std::string& url);

// Writes `bytes` pseudo-random bytes from `seed`; returns their SHA-256 (hex).
std::string write_random_file(const std::filesystem::path& path, std::uint64_t bytes, std::uint64_t seed);
std::string sha256_hex(std::string_view bytes);
// VmHWM of /proc/<pid>/status in bytes: the most memory the process has held so far.
std::optional<std::uint64_t> peak_rss_bytes(pid_t pid);

}  // namespace genq::testing
