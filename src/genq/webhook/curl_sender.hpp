#pragma once
// WebhookSender on one libcurl multi handle: every delivery in flight is an easy
// handle on one thread (no thread per request), connections to a receiver are kept
// alive and reused.
//
// SSRF guard at send time: libcurl resolves the host, and the socket it asks for
// goes through CURLOPT_OPENSOCKETFUNCTION, where the exact address about to be
// connected is checked against the AddressPolicy. The check and the connection use
// the same resolved address, so a DNS answer that changes between check and connect
// (rebinding) cannot slip through, and every address tried (IPv6 and IPv4 fallback)
// is checked. Proxies from the environment are ignored (the guard would check the
// proxy, not the target), redirects are not followed, and only http(s) is spoken.
//
// Thread-safe. Owns its thread and curl handles; the destructor stops the thread and
// abandons transfers still running.
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "genq/webhook/address_guard.hpp"
#include "genq/webhook/sender.hpp"

namespace genq::webhook {

struct CurlSenderOptions {
  Millis timeout{10'000};  // whole attempt: connect, TLS, request and response
  bool allow_http = false;  // plain http:// targets (--webhook-allow-http)
  AddressPolicy policy;
  // Receivers' answers are read up to this many bytes and otherwise ignored; the
  // status decides. A larger body ends the transfer, keeping its status.
  std::size_t max_response_bytes = 64 * 1024;
};

class CurlSender final : public WebhookSender {
 public:
  explicit CurlSender(CurlSenderOptions options);
  ~CurlSender() override;
  CurlSender(const CurlSender&) = delete;
  CurlSender& operator=(const CurlSender&) = delete;

  void send(OutgoingRequest request, Done done) override;

 private:
  struct Transfer;

  void run();
  // Requires: the sender thread.
  void start(std::unique_ptr<Transfer> transfer);
  void finish(void* easy, int code);

  const CurlSenderOptions options_;
  void* multi_;  // CURLM*, used by the sender thread (curl_multi_wakeup from any thread)

  std::mutex mutex_;
  std::deque<std::unique_ptr<Transfer>> incoming_;  // GUARDED_BY(mutex_)
  bool stopping_ = false;                           // GUARDED_BY(mutex_)

  std::unordered_map<void*, std::unique_ptr<Transfer>> active_;  // sender thread only; easy -> transfer
  std::thread thread_;
};

}  // namespace genq::webhook
