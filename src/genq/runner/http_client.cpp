#include "genq/runner/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <system_error>

namespace genq::runner {
namespace {

// JSON answers from the server are small; a body past this is a misbehaving peer.
constexpr std::size_t kMaxBodyBytes = 16u << 20;
constexpr long kConnectTimeoutMs = 10'000;
// With no whole-request limit (big files) a transfer that moves nothing for this
// long is dead.
constexpr long kStallTimeoutSeconds = 60;

void ensure_curl_initialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Where a response body goes: a file for successful downloads, else a string.
struct BodySink {
  CURL* curl = nullptr;
  std::string* body = nullptr;
  std::FILE* file = nullptr;
  bool too_large = false;
  int write_errno = 0;
};

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const std::size_t n = size * count;
  if (sink->file != nullptr) {
    long status = 0;
    curl_easy_getinfo(sink->curl, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
      if (std::fwrite(data, 1, n, sink->file) != n) {
        sink->write_errno = errno;
        return 0;  // makes curl fail with CURLE_WRITE_ERROR
      }
      return n;
    }
  }
  if (sink->body->size() + n > kMaxBodyBytes) {
    sink->too_large = true;
    return 0;
  }
  sink->body->append(data, n);
  return n;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  return std::fread(buffer, size, count, static_cast<std::FILE*>(user));
}

int on_transfer_info(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* abort = static_cast<const std::atomic<bool>*>(user);
  return abort->load() ? 1 : 0;
}

class HeaderList {
 public:
  ~HeaderList() { curl_slist_free_all(list_); }
  void add(const std::string& header) {
    if (curl_slist* grown = curl_slist_append(list_, header.c_str())) {
      list_ = grown;
    }
  }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Signed URLs carry their signature in the query: keep it out of logs and errors.
std::string without_query(const std::string& url) { return url.substr(0, url.find('?')); }

// Sets what every request shares. Requires: `headers` outlives the perform call.
void prepare(CURL* curl, const std::string& url, const RequestOptions& options, HeaderList& headers,
             BodySink& sink, char* error_buffer) {
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  if (options.timeout.count() > 0) {
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  } else {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, kStallTimeoutSeconds);
  }
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "genq-worker/" GENQ_VERSION);
  // A server whose certificate a private CA signed (docs/tls.md): the variable the curl
  // command line honours names the CA file; libcurl itself reads no environment.
  static const char* const ca_bundle = std::getenv("CURL_CA_BUNDLE");
  if (ca_bundle != nullptr && *ca_bundle != '\0') curl_easy_setopt(curl, CURLOPT_CAINFO, ca_bundle);
  if (options.abort != nullptr) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_transfer_info);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(options.abort));
  }
  // curl waits up to a second for "100 Continue" before sending a large body; the
  // server reads bodies without asking, so skip the wait.
  headers.add("Expect:");
  // Visible ASCII only: an id from a server's answer must not inject a header.
  const bool printable = std::all_of(options.request_id.begin(), options.request_id.end(),
                                     [](char c) { return c > ' ' && c < 0x7f; });
  if (!options.request_id.empty() && printable) {
    headers.add("X-Request-Id: " + options.request_id);
  }
  if (!options.bearer_token.empty()) {
    headers.add("Authorization: Bearer " + options.bearer_token);
  }
}

Result<HttpResponse> perform(CURL* curl, const char* method, const std::string& url,
                             HeaderList& headers, HttpResponse& response, const BodySink& sink,
                             const char* error_buffer) {
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  const CURLcode code = curl_easy_perform(curl);
  const std::string what = std::string(method) + " " + without_query(url) + ": ";
  if (code != CURLE_OK) {
    if (sink.write_errno != 0) {
      return fail(Error::internal(what + "writing the body: " + std::strerror(sink.write_errno)));
    }
    if (sink.too_large) {
      return fail(Error::unavailable(what + "answer larger than 16 MiB"));
    }
    if (code == CURLE_ABORTED_BY_CALLBACK) {
      return fail(Error::unavailable(what + "aborted"));
    }
    const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    return fail(Error::unavailable(what + detail));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  const char* content_type = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type != nullptr) {
    response.content_type = content_type;
  }
  return std::move(response);
}

// A JSON request body, POSTed. `json` must outlive the transfer (curl does not copy it).
void set_json_body(CURL* curl, HeaderList& headers, std::string_view json) {
  headers.add("Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json.size()));
}

// One request whose (small, JSON) answer is read into memory; `set_body` adds the
// request body, if any, and its headers. What post_json, post_form, post_multipart and
// get share.
Result<HttpResponse> answer_in_memory(void* handle, const char* method, const std::string& url,
                                      const RequestOptions& options,
                                      const std::function<Status(CURL*, HeaderList&)>& set_body) {
  auto* curl = static_cast<CURL*>(handle);
  if (curl == nullptr) {
    return fail(Error::internal("curl_easy_init failed"));
  }
  HttpResponse response;
  BodySink sink{curl, &response.body};
  HeaderList headers;
  char error_buffer[CURL_ERROR_SIZE] = {};
  prepare(curl, url, options, headers, sink, error_buffer);
  if (set_body) {
    if (Status set = set_body(curl, headers); !set) return fail(std::move(set.error()));
  }
  headers.add("Accept: application/json");
  return perform(curl, method, url, headers, response, sink, error_buffer);
}

}  // namespace

HttpClient::HttpClient() {
  ensure_curl_initialized();
  handle_ = curl_easy_init();
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(handle_)); }

Result<HttpResponse> HttpClient::post_json(const std::string& url, std::string_view json,
                                           const RequestOptions& options) {
  return to_memory("POST", url, &json, options);
}

Result<HttpResponse> HttpClient::post_multipart(const std::string& url, const std::vector<FormPart>& parts,
                                                const RequestOptions& options) {
  std::unique_ptr<curl_mime, decltype(&curl_mime_free)> mime(curl_mime_init(static_cast<CURL*>(handle_)),
                                                             &curl_mime_free);
  return answer_in_memory(handle_, "POST", url, options, [&](CURL* curl, HeaderList&) -> Status {
    for (const FormPart& part : parts) {
      curl_mimepart* field = curl_mime_addpart(mime.get());
      curl_mime_name(field, part.name.c_str());
      if (part.file.empty()) {
        curl_mime_data(field, part.value.data(), part.value.size());
      } else if (curl_mime_filedata(field, part.file.c_str()) != CURLE_OK) {
        return fail(Error::invalid("cannot read " + part.file.string()));
      }
    }
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime.get());
    return {};
  });
}

Result<HttpResponse> HttpClient::post_form(const std::string& url, std::string_view form,
                                           const RequestOptions& options) {
  return answer_in_memory(handle_, "POST", url, options, [&](CURL* curl, HeaderList& headers) -> Status {
    headers.add("Content-Type: application/x-www-form-urlencoded");
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form.size()));
    return {};
  });
}

Result<HttpResponse> HttpClient::get(const std::string& url, const RequestOptions& options) {
  return to_memory("GET", url, nullptr, options);
}

Result<HttpResponse> HttpClient::to_memory(const char* method, const std::string& url, const std::string_view* json,
                                           const RequestOptions& options) {
  if (json == nullptr) return answer_in_memory(handle_, method, url, options, nullptr);
  return answer_in_memory(handle_, method, url, options, [json](CURL* curl, HeaderList& headers) -> Status {
    set_json_body(curl, headers, *json);
    return {};
  });
}

Result<HttpResponse> HttpClient::put_file(const std::string& url, const std::filesystem::path& file,
                                          std::string_view content_type,
                                          const RequestOptions& options) {
  auto* curl = static_cast<CURL*>(handle_);
  if (curl == nullptr) {
    return fail(Error::internal("curl_easy_init failed"));
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  FilePtr input(ec ? nullptr : std::fopen(file.c_str(), "rb"));
  if (!input) {
    return fail(Error::internal("cannot read " + file.string() + ": " +
                                (ec ? ec.message() : std::strerror(errno))));
  }
  HttpResponse response;
  BodySink sink{curl, &response.body};
  HeaderList headers;
  char error_buffer[CURL_ERROR_SIZE] = {};
  prepare(curl, url, options, headers, sink, error_buffer);
  headers.add("Content-Type: " + std::string(content_type));
  headers.add("Accept: application/json");
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);  // PUT; Content-Length from INFILESIZE
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt(curl, CURLOPT_READDATA, input.get());
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
  return perform(curl, "PUT", url, headers, response, sink, error_buffer);
}

Result<HttpResponse> HttpClient::get_to_file(const std::string& url,
                                             const std::filesystem::path& file,
                                             const RequestOptions& options) {
  return to_file("GET", url, nullptr, file, options);
}

Result<HttpResponse> HttpClient::post_json_to_file(const std::string& url, std::string_view json,
                                                   const std::filesystem::path& file,
                                                   const RequestOptions& options) {
  return to_file("POST", url, &json, file, options);
}

Result<HttpResponse> HttpClient::to_file(const char* method, const std::string& url, const std::string_view* json,
                                         const std::filesystem::path& file, const RequestOptions& options) {
  auto* curl = static_cast<CURL*>(handle_);
  if (curl == nullptr) {
    return fail(Error::internal("curl_easy_init failed"));
  }
  FilePtr output(std::fopen(file.c_str(), "wb"));
  if (!output) {
    return fail(Error::internal("cannot create " + file.string() + ": " + std::strerror(errno)));
  }
  HttpResponse response;
  BodySink sink{curl, &response.body, output.get()};
  HeaderList headers;
  char error_buffer[CURL_ERROR_SIZE] = {};
  prepare(curl, url, options, headers, sink, error_buffer);
  if (json != nullptr) {
    set_json_body(curl, headers, *json);
  }
  auto result = perform(curl, method, url, headers, response, sink, error_buffer);
  const bool flushed = std::fflush(output.get()) == 0;
  output.reset();
  if (result && result->status >= 200 && result->status < 300 && !flushed) {
    return fail(Error::internal("writing " + file.string() + ": " + std::strerror(errno)));
  }
  if (!result || result->status < 200 || result->status >= 300) {
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
  }
  return result;
}

std::string HttpClient::escape(std::string_view text) {
  char* escaped = curl_easy_escape(static_cast<CURL*>(handle_), text.data(), static_cast<int>(text.size()));
  if (escaped == nullptr) {
    return std::string(text);
  }
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

}  // namespace genq::runner
