#include "genq/blob/local_blob_store.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "genq/blob/durable_files.hpp"

namespace genq {
namespace fs = std::filesystem;

bool is_safe_blob_key(std::string_view key) {
  if (key.empty() || key.front() == '/' || key.size() > 512) return false;
  std::size_t start = 0;
  while (start <= key.size()) {
    std::size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view part = key.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

Result<std::unique_ptr<LocalBlobStore>> LocalBlobStore::open(const fs::path& root) {
  auto spool = SpoolDir::open(root / "tmp");
  if (!spool) return fail(spool.error());
  return std::unique_ptr<LocalBlobStore>(new LocalBlobStore(root, std::move(*spool)));
}

Result<fs::path> LocalBlobStore::resolve(const std::string& key) const {
  if (!is_safe_blob_key(key)) return fail(Error::invalid("bad blob key"));
  return root_ / key;
}

Status LocalBlobStore::put(const std::string& key, std::string_view data) {
  auto path = resolve(key);
  if (!path) return fail(path.error());
  fs::path tmp = temp_path();
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) return fail(Error::unavailable("cannot write " + tmp.string()));
  }
  return put_file(key, tmp);
}

Status LocalBlobStore::put_file(const std::string& key, const fs::path& temp_file) {
  auto path = resolve(key);
  if (!path) return fail(path.error());
  // A job is reported done only once its result survives a crash: its bytes and its
  // name (docs/reliability.md).
  if (auto moved = durable_rename(temp_file, *path); !moved) {
    std::error_code ignored;
    fs::remove(temp_file, ignored);
    return moved;
  }
  return {};
}

Result<fs::path> LocalBlobStore::local_path(const std::string& key) {
  auto path = resolve(key);
  if (!path) return fail(Error::not_found("no such file"));
  std::error_code ec;
  if (!fs::is_regular_file(*path, ec)) return fail(Error::not_found("no such file"));
  return *path;
}

Status LocalBlobStore::check() {
  std::error_code ec;
  if (!fs::is_directory(root_, ec)) return fail(Error::unavailable(root_.string() + " is not a directory"));
  if (::access(root_.c_str(), W_OK | X_OK) != 0) {
    return fail(Error::unavailable(root_.string() + " is not writable: " + std::strerror(errno)));
  }
  return {};
}

Result<bool> LocalBlobStore::exists(const std::string& key) {
  auto path = resolve(key);
  if (!path) return fail(path.error());
  std::error_code ec;
  return fs::is_regular_file(*path, ec);
}

std::optional<std::string> LocalBlobStore::direct_url(const std::string&, TimePoint, std::chrono::seconds) const {
  return std::nullopt;
}

Result<std::string> LocalBlobStore::read(const std::string& key) {
  auto path = local_path(key);
  if (!path) return fail(path.error());
  std::ifstream in(*path, std::ios::binary);
  std::ostringstream data;
  data << in.rdbuf();
  return data.str();
}

Status LocalBlobStore::remove(const std::string& key) {
  auto path = resolve(key);
  if (!path) return fail(path.error());
  std::error_code ec;
  fs::remove(*path, ec);
  // Leave the now-empty per-job directory behind only if removal fails; it is harmless.
  fs::remove(path->parent_path(), ec);
  return {};
}

}  // namespace genq
