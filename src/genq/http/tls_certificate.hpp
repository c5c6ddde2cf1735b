#pragma once
// The server's TLS identity (--tls-cert, --tls-key): the OpenSSL context new
// connections handshake with. reload() reads the files again and swaps the new context
// in (SIGHUP); connections already open keep the context they started with. Files that
// fail to load, or a key that does not belong to the certificate, leave the current one
// in place. Settings follow Mozilla's "intermediate" profile: TLS 1.2 and 1.3 only,
// AEAD cipher suites with forward secrecy, no renegotiation, no compression.
// Thread-safe.
#include <memory>
#include <mutex>
#include <string>

#include "genq/core/error.hpp"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace genq::http {

class TlsCertificate {
 public:
  // `cert_path`: PEM, the server certificate first, then its intermediates.
  // `key_path`: its PEM private key, unencrypted.
  static Result<std::shared_ptr<TlsCertificate>> load(std::string cert_path, std::string key_path);
  TlsCertificate(std::string cert_path, std::string key_path, std::shared_ptr<boost::asio::ssl::context> context,
                 std::string description);

  // Reads the files again; on success new connections use them.
  Status reload();
  std::shared_ptr<boost::asio::ssl::context> current() const;
  // The loaded certificate's subject, serial and expiry, for the log.
  std::string description() const;

 private:
  const std::string cert_path_;
  const std::string key_path_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;  // GUARDED_BY(mutex_)
  std::string description_;                             // GUARDED_BY(mutex_)
};

}  // namespace genq::http
