#include "genq/inputs/url_fetcher.hpp"

#include <curl/curl.h>

#include <boost/url/parse.hpp>

#include <cstring>
#include <memory>
#include <optional>

#include "genq/webhook/curl_socket.hpp"

namespace genq::inputs {
namespace {

struct Transfer {
  const FetchLimits* limits = nullptr;
  std::string body;
  bool too_large = false;
  std::string refusal;  // set when the address guard refused a connection

  static curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
    auto* self = static_cast<Transfer*>(user);
    if (purpose == CURLSOCKTYPE_IPCXN) {
      std::optional<boost::asio::ip::address> target = webhook::socket_address(*address);
      if (!target) {
        self->refusal = "address family " + std::to_string(address->family) + " is not allowed";
        return CURL_SOCKET_BAD;
      }
      if (std::optional<std::string> why = self->limits->policy.refusal(*target)) {
        self->refusal = *why;
        return CURL_SOCKET_BAD;
      }
    }
    return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    if (self->body.size() + n > self->limits->max_bytes) {
      self->too_large = true;
      return 0;  // CURLE_WRITE_ERROR ends the transfer
    }
    self->body.append(data, n);
    return n;
  }
};

// The limit as --input-fetch-max-bytes means it, rounded up: 80 MiB.
std::string mebibytes(std::size_t bytes) {
  return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB";
}

std::string last_path_segment(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return {};
  std::string path = parsed->path();
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<FetchedFile> fetch_url(const std::string& url, const FetchLimits& limits) {
  const bool https = url.size() >= 8 && curl_strnequal(url.c_str(), "https://", 8);
  const bool http = url.size() >= 7 && curl_strnequal(url.c_str(), "http://", 7);
  if (!https && !http) return fail(Error::invalid("is not an http(s) URL"));
  if (http && !limits.allow_http) return fail(Error::invalid("must be an https URL"));
  if (!boost::urls::parse_absolute_uri(url)) return fail(Error::invalid("is not a valid URL"));

  webhook::ensure_curl_initialized();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy(curl_easy_init(), &curl_easy_cleanup);
  if (!easy) return fail(Error::unavailable("curl_easy_init failed"));
  Transfer transfer;
  transfer.limits = &limits;
  char error[CURL_ERROR_SIZE] = {};
  const char* protocols = limits.allow_http ? "http,https" : "https";
  CURL* h = easy.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  // Links to media often redirect (share links, signed storage URLs); every hop's
  // connection goes through the guard in open_socket.
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.timeout.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_USERAGENT, "genq-input-fetch");
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_bytes));
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &Transfer::open_socket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  const CURLcode code = curl_easy_perform(h);

  if (!transfer.refusal.empty()) return fail(Error::invalid("is refused: " + transfer.refusal));
  if (transfer.too_large || code == CURLE_FILESIZE_EXCEEDED) {
    return fail(Error::invalid("is larger than " + mebibytes(limits.max_bytes)));
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return fail(Error::invalid("could not be downloaded within " + std::to_string(limits.timeout.count() / 1000) +
                               " s"));
  }
  if (code == CURLE_TOO_MANY_REDIRECTS) return fail(Error::invalid("redirects too many times"));
  if (code != CURLE_OK) {
    return fail(Error::invalid("could not be downloaded (" +
                               std::string(error[0] != '\0' ? error : curl_easy_strerror(code)) + ")"));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) {
    return fail(Error::invalid("could not be downloaded: the server answered " + std::to_string(status)));
  }
  if (transfer.body.empty()) return fail(Error::invalid("points to an empty file"));
  FetchedFile out;
  out.data = std::move(transfer.body);
  const char* type = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != nullptr) {
    out.content_type = type;
    if (auto semicolon = out.content_type.find(';'); semicolon != std::string::npos) {
      out.content_type.resize(semicolon);
    }
  }
  char* effective = nullptr;
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &effective);
  out.filename = last_path_segment(effective != nullptr ? effective : url);
  return out;
}

Result<FetchedFile> InputFetcher::fetch(const std::string& url) {
  if (in_flight_.fetch_add(1) >= limits_.max_concurrent) {
    in_flight_.fetch_sub(1);
    return fail(Error::unavailable("Too many input downloads are in progress; try again shortly."));
  }
  Result<FetchedFile> out = fetch_url(url, limits_);
  in_flight_.fetch_sub(1);
  return out;
}

}  // namespace genq::inputs
