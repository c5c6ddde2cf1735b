#include "genq/blob/s3_blob_store.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "genq/blob/s3_presign.hpp"
#include "genq/crypto/crypto.hpp"
#include "genq/webhook/curl_socket.hpp"

namespace genq {
namespace {

constexpr std::size_t kMaxErrorBody = 64 * 1024;
constexpr const char* kEmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// What a request sends: nothing, bytes in memory, or an open file.
struct Body {
  std::string_view data;
  std::size_t offset = 0;
  std::FILE* file = nullptr;
  curl_off_t size = 0;

  static std::size_t read(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Body*>(user);
    if (self->file) return std::fread(buffer, 1, size * count, self->file);
    const std::size_t n = std::min(size * count, self->data.size() - self->offset);
    std::memcpy(buffer, self->data.data() + self->offset, n);
    self->offset += n;
    return n;
  }
};

struct Answer {
  long status = 0;
  std::string body;      // the whole body when `keep_body`, else the start of an error
  bool keep_body = false;

  static std::size_t write(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Answer*>(user);
    const std::size_t n = size * count;
    if (self->keep_body || self->body.size() < kMaxErrorBody) self->body.append(data, n);
    return n;
  }
};

// <Code>X</Code> from an S3 error document, or "".
std::string xml_element(const std::string& xml, const std::string& name) {
  const std::string open = "<" + name + ">", close = "</" + name + ">";
  auto start = xml.find(open);
  if (start == std::string::npos) return "";
  start += open.size();
  auto end = xml.find(close, start);
  return end == std::string::npos ? "" : xml.substr(start, end - start);
}

struct Request {
  const char* method = "GET";
  std::string key;
  std::string payload_hash = kEmptyPayloadHash;
  Body* body = nullptr;
  bool head = false;
  bool keep_body = false;
};

Result<Answer> perform(const S3Settings& s3, const Request& request) {
  CURL* easy = curl_easy_init();
  if (!easy) return fail(Error::unavailable("cannot create a curl handle"));
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> guard(easy, &curl_easy_cleanup);
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("x-amz-content-sha256: " + request.payload_hash).c_str());
  if (!s3.session_token.empty()) headers = curl_slist_append(headers, ("x-amz-security-token: " + s3.session_token).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, &curl_slist_free_all);

  const std::string url = s3.object_url(request.key);
  const std::string provider = "aws:amz:" + s3.region + ":s3";
  const std::string user = s3.access_key_id + ":" + s3.secret_access_key;
  Answer answer;
  answer.keep_body = request.keep_body;
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_AWS_SIGV4, provider.c_str());
  curl_easy_setopt(easy, CURLOPT_USERPWD, user.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, 10L);
  // No total timeout (a big file may take long); a transfer stalled for a minute ends.
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Answer::write);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &answer);
  if (request.body) {
    curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Body::read);
    curl_easy_setopt(easy, CURLOPT_READDATA, request.body);
    curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, request.body->size);
  } else if (request.head) {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else if (std::strcmp(request.method, "GET") != 0) {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method);
  }
  CURLcode code = curl_easy_perform(easy);
  if (code != CURLE_OK) {
    return fail(Error::unavailable("S3 " + std::string(request.method) + " " + s3.endpoint + ": " +
                                   (error[0] ? std::string(error) : std::string(curl_easy_strerror(code)))));
  }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

// An error answer as a message that says what S3 said and, for refusals, what to check.
Error refusal(const S3Settings& s3, const char* method, const std::string& key, const Answer& answer) {
  std::string code = xml_element(answer.body, "Code");
  std::string message = xml_element(answer.body, "Message");
  std::string text = "S3 refused " + std::string(method) + " " + key + " in bucket " + s3.bucket + " (HTTP " +
                     std::to_string(answer.status) + (code.empty() ? "" : " " + code) +
                     (message.empty() ? "" : ": " + message) + ")";
  if (answer.status == 403 || code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId") {
    return Error::forbidden(text + "; check the access key id and secret (--s3-access-key-id, "
                                   "--s3-secret-access-key or AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and the region");
  }
  if (code == "NoSuchBucket") return Error::unavailable(text + "; create the bucket first");
  return Error::unavailable(text);
}

bool success(long status) { return status >= 200 && status < 300; }

}  // namespace

Result<std::unique_ptr<S3BlobStore>> S3BlobStore::open(S3Settings settings, const std::filesystem::path& spool_dir) {
  webhook::ensure_curl_initialized();
  auto spool = SpoolDir::open(spool_dir);
  if (!spool) return fail(spool.error());
  return std::unique_ptr<S3BlobStore>(new S3BlobStore(std::move(settings), std::move(*spool)));
}

Status S3BlobStore::check() {
  Request request;
  request.method = "HEAD";
  request.head = true;
  request.key = ".genq-check";
  auto answer = perform(settings_, request);
  if (!answer) return fail(answer.error());
  if (success(answer->status) || answer->status == 404) return {};
  // HEAD answers carry no body: name the likely cause from the status alone.
  Answer described = *answer;
  if (described.status == 403) described.body = "<Code>AccessDenied</Code>";
  return fail(refusal(settings_, "HEAD", request.key, described));
}

Status S3BlobStore::put(const std::string& key, std::string_view data) {
  if (!is_safe_blob_key(key)) return fail(Error::invalid("bad blob key"));
  Body body;
  body.data = data;
  body.size = static_cast<curl_off_t>(data.size());
  Request request;
  request.method = "PUT";
  request.key = key;
  request.payload_hash = crypto::sha256_hex(data);
  request.body = &body;
  auto answer = perform(settings_, request);
  if (!answer) return fail(answer.error());
  if (!success(answer->status)) return fail(refusal(settings_, "PUT", key, *answer));
  return {};
}

Status S3BlobStore::put_file(const std::string& key, const std::filesystem::path& file) {
  struct Consumed {  // the spool file goes whatever happens
    const std::filesystem::path& path;
    ~Consumed() {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    }
  } consumed{file};
  if (!is_safe_blob_key(key)) return fail(Error::invalid("bad blob key"));
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return fail(Error::unavailable("cannot read " + file.string() + ": " + ec.message()));
  std::FILE* handle = std::fopen(file.c_str(), "rb");
  if (!handle) return fail(Error::unavailable("cannot open " + file.string() + ": " + std::strerror(errno)));
  std::unique_ptr<std::FILE, decltype(&std::fclose)> close(handle, &std::fclose);
  Body body;
  body.file = handle;
  body.size = static_cast<curl_off_t>(size);
  Request request;
  request.method = "PUT";
  request.key = key;
  request.payload_hash = "UNSIGNED-PAYLOAD";  // streamed: hashing first would read the file twice
  request.body = &body;
  auto answer = perform(settings_, request);
  if (!answer) return fail(answer.error());
  if (!success(answer->status)) return fail(refusal(settings_, "PUT", key, *answer));
  return {};
}

Result<bool> S3BlobStore::exists(const std::string& key) {
  if (!is_safe_blob_key(key)) return fail(Error::invalid("bad blob key"));
  Request request;
  request.method = "HEAD";
  request.head = true;
  request.key = key;
  auto answer = perform(settings_, request);
  if (!answer) return fail(answer.error());
  if (success(answer->status)) return true;
  if (answer->status == 404) return false;
  return fail(refusal(settings_, "HEAD", key, *answer));
}

Status S3BlobStore::remove(const std::string& key) {
  if (!is_safe_blob_key(key)) return fail(Error::invalid("bad blob key"));
  Request request;
  request.method = "DELETE";
  request.key = key;
  auto answer = perform(settings_, request);
  if (!answer) return fail(answer.error());
  if (success(answer->status) || answer->status == 404) return {};
  return fail(refusal(settings_, "DELETE", key, *answer));
}

Result<std::string> S3BlobStore::read(const std::string& key) {
  if (!is_safe_blob_key(key)) return fail(Error::invalid("bad blob key"));
  Request request;
  request.key = key;
  request.keep_body = true;
  auto answer = perform(settings_, request);
  if (!answer) return fail(answer.error());
  if (answer->status == 404) return fail(Error::not_found("no such file"));
  if (!success(answer->status)) return fail(refusal(settings_, "GET", key, *answer));
  return std::move(answer->body);
}

std::optional<std::string> S3BlobStore::direct_url(const std::string& key, TimePoint now,
                                                   std::chrono::seconds ttl) const {
  return s3_presigned_url(settings_, "GET", key, now, ttl);
}

Result<std::filesystem::path> S3BlobStore::local_path(const std::string&) {
  return fail(Error::not_found("no such file"));
}

}  // namespace genq
