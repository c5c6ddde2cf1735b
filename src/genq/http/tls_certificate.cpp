#include "genq/http/tls_certificate.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace genq::http {
namespace ssl = boost::asio::ssl;

namespace {

// Mozilla's "intermediate" TLS 1.2 suites (TLS 1.3's are OpenSSL's defaults, all AEAD).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string text(data, size > 0 ? static_cast<std::size_t>(size) : 0);
  BIO_free(bio);
  return text;
}

// "subject CN=example.com, serial 1A2B, expires Dec  4 03:00:00 2027 GMT".
std::string describe(X509* cert) {
  if (!cert) return "no certificate";
  BIO* subject = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(subject, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  std::string serial;
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      serial = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  BIO* expiry = BIO_new(BIO_s_mem());
  ASN1_TIME_print(expiry, X509_get0_notAfter(cert));
  std::string text = "subject " + bio_text(subject) + ", serial " + serial + ", expires " + bio_text(expiry);
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) text += " (EXPIRED)";
  return text;
}

// OpenSSL's reason for the last failure, and the error queue cleared for the next one.
std::string reason(const boost::system::error_code& ec) {
  std::string text = ec.message();
  ERR_clear_error();
  return text;
}

Status readable(const std::string& path, const char* what) {
  std::ifstream file(path);
  if (!file) return fail(Error::invalid("cannot read the TLS " + std::string(what) + " file " + path + ": " +
                                        std::strerror(errno)));
  return {};
}

struct Loaded {
  std::shared_ptr<ssl::context> context;
  std::string description;
};

Result<Loaded> build_context(const std::string& cert_path, const std::string& key_path) {
  if (auto ok = readable(cert_path, "certificate"); !ok) return fail(ok.error());
  if (auto ok = readable(key_path, "key"); !ok) return fail(ok.error());
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_cipher_list(native, kTls12Ciphers);
  // An encrypted key would make OpenSSL ask for its passphrase on the terminal; a
  // server has none, so it fails to load instead.
  SSL_CTX_set_default_passwd_cb(native, [](char*, int, int, void*) { return 0; });
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert_path, ec);
  if (ec) return fail(Error::invalid("cannot load the TLS certificate " + cert_path + ": " + reason(ec)));
  context->use_private_key_file(key_path, ssl::context::pem, ec);
  if (ec) {
    return fail(Error::invalid("cannot use the TLS key " + key_path + " with the certificate " + cert_path +
                               " (an encrypted key, or one that is not the certificate's?): " + reason(ec)));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return fail(Error::invalid("the TLS key " + key_path + " does not belong to the certificate " + cert_path));
  }
  return Loaded{std::move(context), describe(SSL_CTX_get0_certificate(native))};
}

}  // namespace

Result<std::shared_ptr<TlsCertificate>> TlsCertificate::load(std::string cert_path, std::string key_path) {
  auto loaded = build_context(cert_path, key_path);
  if (!loaded) return fail(loaded.error());
  return std::make_shared<TlsCertificate>(std::move(cert_path), std::move(key_path), std::move(loaded->context),
                                          std::move(loaded->description));
}

TlsCertificate::TlsCertificate(std::string cert_path, std::string key_path, std::shared_ptr<ssl::context> context,
                               std::string description)
    : cert_path_(std::move(cert_path)),
      key_path_(std::move(key_path)),
      context_(std::move(context)),
      description_(std::move(description)) {}

Status TlsCertificate::reload() {
  auto loaded = build_context(cert_path_, key_path_);
  if (!loaded) return fail(loaded.error());
  std::lock_guard lock(mutex_);
  context_ = std::move(loaded->context);
  description_ = std::move(loaded->description);
  return {};
}

std::shared_ptr<ssl::context> TlsCertificate::current() const {
  std::lock_guard lock(mutex_);
  return context_;
}

std::string TlsCertificate::description() const {
  std::lock_guard lock(mutex_);
  return description_;
}

}  // namespace genq::http
