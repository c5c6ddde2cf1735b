#include "genq/webhook/curl_sender.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include "genq/webhook/curl_socket.hpp"

namespace genq::webhook {

struct CurlSender::Transfer {
  OutgoingRequest request;
  Done done;
  const CurlSenderOptions* options = nullptr;
  curl_slist* headers = nullptr;
  std::chrono::steady_clock::time_point started;
  std::size_t response_bytes = 0;
  bool too_large = false;
  std::string refusal;  // set when the address guard refused a connection
  char error[CURL_ERROR_SIZE] = {};

  ~Transfer() { curl_slist_free_all(headers); }

  // CURLOPT_OPENSOCKETFUNCTION: the guard sees the very address libcurl connects to.
  static curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
    auto* self = static_cast<Transfer*>(user);
    if (purpose == CURLSOCKTYPE_IPCXN) {
      std::optional<boost::asio::ip::address> target = socket_address(*address);
      if (!target) {
        self->refusal = "address family " + std::to_string(address->family) + " is not allowed";
        return CURL_SOCKET_BAD;
      }
      if (std::optional<std::string> why = self->options->policy.refusal(*target)) {
        self->refusal = *why;
        return CURL_SOCKET_BAD;
      }
    }
    return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  }

  // The body is counted, not kept: only the status matters.
  static std::size_t on_body(char*, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Transfer*>(user);
    self->response_bytes += size * count;
    if (self->response_bytes > self->options->max_response_bytes) {
      self->too_large = true;
      return 0;  // CURLE_WRITE_ERROR ends the transfer; finish() keeps the status
    }
    return size * count;
  }
};

CurlSender::CurlSender(CurlSenderOptions options) : options_(std::move(options)) {
  ensure_curl_initialized();
  multi_ = curl_multi_init();
  thread_ = std::thread([this] { run(); });
}

CurlSender::~CurlSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  thread_.join();
  for (auto& [easy, transfer] : active_) {
    curl_multi_remove_handle(static_cast<CURLM*>(multi_), static_cast<CURL*>(easy));
    curl_easy_cleanup(static_cast<CURL*>(easy));
  }
  active_.clear();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void CurlSender::send(OutgoingRequest request, Done done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  transfer->done = std::move(done);
  transfer->options = &options_;
  {
    std::lock_guard lock(mutex_);
    incoming_.push_back(std::move(transfer));
  }
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
}

void CurlSender::run() {
  auto* multi = static_cast<CURLM*>(multi_);
  while (true) {
    std::deque<std::unique_ptr<Transfer>> incoming;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        return;
      }
      incoming.swap(incoming_);
    }
    for (auto& transfer : incoming) {
      start(std::move(transfer));
    }
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg == CURLMSG_DONE) {
        finish(message->easy_handle, static_cast<int>(message->data.result));
      }
    }
    // Sleeps until a socket is ready, a timeout of libcurl's is due or send() wakes us.
    curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
}

void CurlSender::start(std::unique_ptr<Transfer> transfer) {
  const std::string& url = transfer->request.url;
  const bool https = url.size() >= 8 && curl_strnequal(url.c_str(), "https://", 8);
  const bool http = url.size() >= 7 && curl_strnequal(url.c_str(), "http://", 7);
  if (!https && !(http && options_.allow_http)) {
    SendResult result;
    result.error = http ? "plain http targets are not allowed (genq serve --webhook-allow-http)"
                        : "the target is not an http(s) URL";
    transfer->done(std::move(result));
    return;
  }
  CURL* easy = curl_easy_init();
  if (easy == nullptr) {
    SendResult result;
    result.error = "curl_easy_init failed";
    transfer->done(std::move(result));
    return;
  }
  for (const auto& [name, value] : transfer->request.headers) {
    transfer->headers = curl_slist_append(transfer->headers, (name + ": " + value).c_str());
  }
  // No "Expect: 100-continue" round trip before the body.
  transfer->headers = curl_slist_append(transfer->headers, "Expect:");

  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, options_.allow_http ? "http,https" : "https");
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, transfer->request.body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(transfer->request.body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_PROXY, "");
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &Transfer::open_socket);
  curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error);
  transfer->started = std::chrono::steady_clock::now();
  if (CURLMcode added = curl_multi_add_handle(static_cast<CURLM*>(multi_), easy); added != CURLM_OK) {
    curl_easy_cleanup(easy);
    SendResult result;
    result.error = std::string("curl_multi_add_handle: ") + curl_multi_strerror(added);
    transfer->done(std::move(result));
    return;
  }
  active_.emplace(easy, std::move(transfer));
}

void CurlSender::finish(void* handle, int code) {
  auto* easy = static_cast<CURL*>(handle);
  auto it = active_.find(handle);
  if (it == active_.end()) {
    spdlog::error("webhook sender: finished transfer is unknown");
    return;
  }
  std::unique_ptr<Transfer> transfer = std::move(it->second);
  active_.erase(it);

  SendResult result;
  result.latency = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - transfer->started);
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  const auto curl_code = static_cast<CURLcode>(code);
  if (status > 0 && (curl_code == CURLE_OK || (curl_code == CURLE_WRITE_ERROR && transfer->too_large))) {
    result.http_status = static_cast<int>(status);
    curl_header* header = nullptr;
    if (curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &header) == CURLHE_OK) {
      result.retry_after = header->value;
    }
  } else if (!transfer->refusal.empty()) {
    result.error = "refused by the address guard: " + transfer->refusal;
  } else {
    result.error = transfer->error[0] != '\0' ? std::string(transfer->error) : curl_easy_strerror(curl_code);
  }
  curl_multi_remove_handle(static_cast<CURLM*>(multi_), easy);
  curl_easy_cleanup(easy);
  transfer->done(std::move(result));
}

}  // namespace genq::webhook
