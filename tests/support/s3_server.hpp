#pragma once
// A real S3 server for tests: npm's s3rver with one bucket, started through
// tests/js/support/s3rver_main.mjs (which adds the SigV4 signature check s3rver lacks),
// bound to 127.0.0.1 on a port free at start, in its own temp dir. Credentials are
// s3rver's S3RVER / S3RVER. The process is ended through its recorded pid
// (ChildProcess), never by name. Not thread-safe: one test thread drives it.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "genq/blob/s3_settings.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace genq::testing {

// Thrown when node or the npm packages are missing: tests skip with its message.
struct S3ServerMissing : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class S3Server {
 public:
  static constexpr const char* kAccessKeyId = "S3RVER";
  static constexpr const char* kSecretAccessKey = "S3RVER";
  static constexpr const char* kRegion = "us-east-1";

  // `source_dir` is the repository root (tests/js/node_modules must hold s3rver: `npm ci`
  // in tests/js). Waits until the server listens. Throws S3ServerMissing without node
  // or s3rver, std::runtime_error when it does not come up in time.
  explicit S3Server(const std::string& source_dir, std::string bucket = "genq");
  ~S3Server();
  S3Server(const S3Server&) = delete;
  S3Server& operator=(const S3Server&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& bucket() const { return bucket_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Settings for an S3BlobStore on this server (path-style, the right key pair).
  S3Settings settings(const std::string& prefix = "") const;
  // The bucket's directory on disk, where s3rver keeps objects (for assertions).
  std::string directory() const { return dir_.path().string(); }

 private:
  TempDir dir_;
  std::string bucket_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace genq::testing
