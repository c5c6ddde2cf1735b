#include "support/http_client.hpp"

#include <curl/curl.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <system_error>

namespace genq::testing {
namespace {

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new status line (after a 100 Continue or a redirect): start over.
    response->headers.clear();
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    response->headers.emplace_back(lower(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
  void operator()(curl_mime* mime) const { curl_mime_free(mime); }
};

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  const std::string wanted = lower(name);
  for (const auto& [key, value] : headers) {
    if (key == wanted) {
      return value;
    }
  }
  return std::nullopt;
}

boost::json::value HttpResponse::json() const {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec) {
    throw std::runtime_error("response is not JSON (" + ec.message() + "): " + describe());
  }
  return value;
}

std::string HttpResponse::describe() const {
  if (status == 0) {
    return "no HTTP response: " + transport_error;
  }
  constexpr std::size_t kMaxBody = 2000;
  return "HTTP " + std::to_string(status) + " " +
         (body.size() > kMaxBody ? body.substr(0, kMaxBody) + "…" : body);
}

HttpClient::HttpClient(std::string base_url, Headers default_headers)
    : base_url_(std::move(base_url)), default_headers_(std::move(default_headers)) {
  while (!base_url_.empty() && base_url_.back() == '/') {
    base_url_.pop_back();
  }
  global_init_once();
}

HttpClient HttpClient::with_bearer(const std::string& token) const {
  HttpClient copy = *this;
  std::erase_if(copy.default_headers_,
                [](const auto& header) { return lower(header.first) == "authorization"; });
  copy.default_headers_.emplace_back("Authorization", "Bearer " + token);
  return copy;
}

HttpClient HttpClient::with_timeout(std::chrono::milliseconds timeout) const {
  HttpClient copy = *this;
  copy.timeout_ = timeout;
  return copy;
}

HttpResponse HttpClient::request(std::string_view method, std::string_view target,
                                 std::string_view body, std::string_view content_type,
                                 const Headers& headers) const {
  return perform(method, target, body, content_type, nullptr, headers);
}

HttpResponse HttpClient::get(std::string_view target, const Headers& headers) const {
  return perform("GET", target, {}, {}, nullptr, headers);
}

HttpResponse HttpClient::del(std::string_view target, const Headers& headers) const {
  return perform("DELETE", target, {}, {}, nullptr, headers);
}

HttpResponse HttpClient::post_json(std::string_view target, const boost::json::value& body,
                                   const Headers& headers) const {
  return perform("POST", target, boost::json::serialize(body), "application/json", nullptr,
                 headers);
}

HttpResponse HttpClient::put_json(std::string_view target, const boost::json::value& body,
                                  const Headers& headers) const {
  return perform("PUT", target, boost::json::serialize(body), "application/json", nullptr,
                 headers);
}

HttpResponse HttpClient::post_multipart(std::string_view target, const MultipartBody& body,
                                        const Headers& headers) const {
  return perform("POST", target, {}, {}, &body, headers);
}

HttpResponse HttpClient::perform(std::string_view method, std::string_view target,
                                 std::string_view body, std::string_view content_type,
                                 const MultipartBody* multipart, const Headers& headers) const {
  HttpResponse response;
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    response.transport_error = "curl_easy_init failed";
    return response;
  }
  const std::string url = target.starts_with("http://") || target.starts_with("https://")
                              ? std::string(target)
                              : base_url_ + std::string(target);
  const std::string method_text(method);
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response);

  std::unique_ptr<curl_mime, CurlDeleter> mime;
  if (multipart != nullptr) {
    mime.reset(curl_mime_init(handle));
    for (const auto& [name, value] : multipart->fields) {
      curl_mimepart* part = curl_mime_addpart(mime.get());
      curl_mime_name(part, name.c_str());
      curl_mime_data(part, value.data(), value.size());
    }
    for (const auto& file : multipart->files) {
      curl_mimepart* part = curl_mime_addpart(mime.get());
      curl_mime_name(part, file.field.c_str());
      if (curl_mime_filedata(part, file.path.c_str()) != CURLE_OK) {
        response.transport_error = "cannot read " + file.path;
        return response;
      }
      if (!file.filename.empty()) {
        curl_mime_filename(part, file.filename.c_str());
      }
      if (!file.content_type.empty()) {
        curl_mime_type(part, file.content_type.c_str());
      }
    }
    curl_easy_setopt(handle, CURLOPT_MIMEPOST, mime.get());
    if (method_text != "POST") {
      curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method_text.c_str());
    }
  } else if (!body.empty()) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (method_text != "POST") {
      curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method_text.c_str());
    }
  } else if (method_text == "GET") {
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
  } else if (method_text == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else {
    // POST/PUT with an empty body still send Content-Length: 0.
    if (method_text == "POST" || method_text == "PUT") {
      curl_easy_setopt(handle, CURLOPT_POSTFIELDS, "");
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE, 0L);
    }
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  }

  curl_slist* raw_list = nullptr;
  // curl would otherwise send "Expect: 100-continue" for large bodies and wait a
  // second for an answer a Beast server never sends.
  raw_list = curl_slist_append(raw_list, "Expect:");
  if (!content_type.empty()) {
    raw_list = curl_slist_append(raw_list, ("Content-Type: " + std::string(content_type)).c_str());
  }
  for (const auto* list : {&default_headers_, &headers}) {
    for (const auto& [name, value] : *list) {
      // "Name;" is curl's way to send a header with an empty value.
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      raw_list = curl_slist_append(raw_list, line.c_str());
    }
  }
  std::unique_ptr<curl_slist, CurlDeleter> header_list(raw_list);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list.get());

  const auto started = std::chrono::steady_clock::now();
  const CURLcode rc = curl_easy_perform(handle);
  response.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (rc != CURLE_OK) {
    response.transport_error = curl_easy_strerror(rc);
    // A server that answers and closes before reading the whole body (413) may leave
    // curl with a send error after the status arrived; keep the status if it did.
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  response.status = status;
  return response;
}

std::string url_encode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

const boost::json::value* json_at(const boost::json::value& root, std::string_view pointer) {
  std::error_code ec;
  return root.find_pointer(pointer, ec);
}

std::string text_at(const boost::json::value& root, std::string_view pointer) {
  const boost::json::value* found = json_at(root, pointer);
  if (found == nullptr) {
    return "<missing>";
  }
  if (found->is_string()) {
    return std::string(found->get_string());
  }
  return boost::json::serialize(*found);
}

}  // namespace genq::testing
