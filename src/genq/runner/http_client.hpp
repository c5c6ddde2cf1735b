#pragma once
// A small blocking HTTP client on libcurl's easy interface, for the worker runtime and
// the client commands (genq submit): POST a JSON body or a form, PUT a file streamed
// from disk, GET into a file. One CURL handle
// per object, reused between requests so connections stay alive. Not thread-safe:
// each thread owns its own HttpClient (a handle may move between threads while idle).
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/error.hpp"

namespace genq::runner {

struct HttpResponse {
  long status = 0;
  std::string body;  // for get_to_file: only error bodies (status >= 400) are kept
  std::string content_type;  // of the answer; empty when it named none
};

struct RequestOptions {
  std::string bearer_token;  // sent as Authorization: Bearer …; empty = none
  // Whole-request limit; zero means none (large uploads and downloads), where a
  // stalled transfer still fails after kStallTimeout without progress.
  std::chrono::milliseconds timeout{30'000};
  // Polled while the transfer runs; when it turns true the request stops early.
  const std::atomic<bool>* abort = nullptr;
  std::string request_id;  // sent as X-Request-Id; empty = none
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // A network failure (refused, reset, timed out, aborted) is Unavailable; any HTTP
  // answer, whatever its status, is a value.
  Result<HttpResponse> post_json(const std::string& url, std::string_view json,
                                 const RequestOptions& options);
  // Streams `file` as the body with Content-Type and Content-Length.
  Result<HttpResponse> put_file(const std::string& url, const std::filesystem::path& file,
                                std::string_view content_type, const RequestOptions& options);
  // Writes a 2xx body to `file` (replacing it); other answers leave the body in the
  // response instead.
  Result<HttpResponse> get_to_file(const std::string& url, const std::filesystem::path& file,
                                   const RequestOptions& options);
  // POSTs a JSON body and, like get_to_file, writes a 2xx answer to `file`: the
  // answer may be a large generated image or video.
  Result<HttpResponse> post_json_to_file(const std::string& url, std::string_view json,
                                         const std::filesystem::path& file, const RequestOptions& options);
  // A multipart/form-data POST: text fields, and files streamed from disk (curl reads
  // them as it sends, so a large upload is never held in memory).
  struct FormPart {
    std::string name;
    std::string value;                // a text field's value
    std::filesystem::path file;       // non-empty: a file part read from here
  };
  Result<HttpResponse> post_multipart(const std::string& url, const std::vector<FormPart>& parts,
                                      const RequestOptions& options);
  // An application/x-www-form-urlencoded POST of `form` (already encoded).
  Result<HttpResponse> post_form(const std::string& url, std::string_view form, const RequestOptions& options);
  // GET with the body kept in memory (small JSON answers).
  Result<HttpResponse> get(const std::string& url, const RequestOptions& options);

  // Percent-encodes a query or path component.
  std::string escape(std::string_view text);

 private:
  // get and post_json: a JSON answer read into memory; `json` null for a GET.
  Result<HttpResponse> to_memory(const char* method, const std::string& url, const std::string_view* json,
                                 const RequestOptions& options);
  // get_to_file and post_json_to_file; `json` null for a GET.
  Result<HttpResponse> to_file(const char* method, const std::string& url, const std::string_view* json,
                               const std::filesystem::path& file, const RequestOptions& options);

  void* handle_;  // CURL*, owned
};

}  // namespace genq::runner
