#include "support/streaming_transfer.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

namespace genq::testing {
namespace {

struct DigestDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using Digest = std::unique_ptr<EVP_MD_CTX, DigestDeleter>;

Digest new_sha256() {
  Digest ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw std::runtime_error("EVP sha256");
  return ctx;
}

std::string finish_hex(EVP_MD_CTX* ctx) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

struct DownloadSink {
  EVP_MD_CTX* digest = nullptr;
  std::uint64_t bytes = 0;
};

size_t hash_chunk(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<DownloadSink*>(user);
  EVP_DigestUpdate(sink->digest, data, size * count);
  sink->bytes += size * count;
  return size * count;
}

size_t keep_text(char* data, size_t size, size_t count, void* user) {
  auto* text = static_cast<std::string*>(user);
  if (text->size() < 64 * 1024) text->append(data, size * count);
  return size * count;
}

size_t read_file_chunk(char* buffer, size_t size, size_t count, void* user) {
  auto* file = static_cast<std::FILE*>(user);
  return std::fread(buffer, size, count, file);
}

Transfer perform(CURL* curl) {
  Transfer out;
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 300L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) out.transport_error = curl_easy_strerror(code);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

}  // namespace

Transfer upload_file(const std::string& method, const std::string& url, const std::filesystem::path& path,
                     const std::string& content_type, Framing framing, const std::string& bearer_token,
                     bool expect_continue) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw std::runtime_error("cannot open " + path.string());
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  std::string answer;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
  headers = curl_slist_append(headers, ("Authorization: Bearer " + bearer_token).c_str());
  // Workers send at once; a client may wait for 100 Continue (or the refusal).
  headers = curl_slist_append(headers, expect_continue ? "Expect: 100-continue" : "Expect:");
  if (framing == Framing::Chunked) headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, read_file_chunk);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, file.get());
  if (framing == Framing::ContentLength) {
    curl_easy_setopt(curl.get(), CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(std::filesystem::file_size(path)));
  }
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, keep_text);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer);
  Transfer out = perform(curl.get());
  curl_slist_free_all(headers);
  out.body = std::move(answer);
  out.bytes = std::filesystem::file_size(path);
  return out;
}

Transfer download_hashed(const std::string& url) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  Digest digest = new_sha256();
  DownloadSink sink{digest.get(), 0};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, hash_chunk);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &sink);
  Transfer out = perform(curl.get());
  out.bytes = sink.bytes;
  out.sha256 = finish_hex(digest.get());
  return out;
}

std::string write_random_file(const std::filesystem::path& path, std::uint64_t bytes, std::uint64_t seed) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  Digest digest = new_sha256();
  std::vector<std::uint64_t> block(1 << 16);
  std::uint64_t state = seed | 1;
  for (std::uint64_t written = 0; written < bytes;) {
    for (auto& word : block) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      word = state;
    }
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(bytes - written, block.size() * 8));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
    EVP_DigestUpdate(digest.get(), block.data(), n);
    written += n;
  }
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return finish_hex(digest.get());
}

std::string sha256_hex(std::string_view bytes) {
  Digest digest = new_sha256();
  EVP_DigestUpdate(digest.get(), bytes.data(), bytes.size());
  return finish_hex(digest.get());
}

std::optional<std::uint64_t> peak_rss_bytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6)) * 1024;  // "VmHWM:  1234 kB"
  }
  return std::nullopt;
}

}  // namespace genq::testing
