#include "genq/blob/durable_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace genq {
namespace fs = std::filesystem;

namespace {

Status sync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return fail(Error::unavailable("cannot open " + path.string() + " to sync it: " + std::strerror(errno)));
  const int synced = ::fsync(fd);
  const int sync_errno = errno;
  ::close(fd);
  if (synced != 0) return fail(Error::unavailable("fsync of " + path.string() + " failed: " + std::strerror(sync_errno)));
  return {};
}

}  // namespace

Status sync_file(const fs::path& file) { return sync_path(file, O_RDONLY); }

Status sync_directory(const fs::path& dir) { return sync_path(dir, O_RDONLY | O_DIRECTORY); }

Status create_directories_durably(const fs::path& dir) {
  std::vector<fs::path> missing;  // deepest first
  std::error_code ec;
  for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  if (missing.empty()) return {};
  fs::create_directories(dir, ec);
  if (ec) return fail(Error::unavailable("cannot create " + dir.string() + ": " + ec.message()));
  for (const fs::path& created : missing) {
    if (auto synced = sync_directory(created.parent_path()); !synced) return synced;
  }
  return {};
}

Status durable_rename(const fs::path& from, const fs::path& to) {
  if (auto synced = sync_file(from); !synced) return synced;
  if (auto made = create_directories_durably(to.parent_path()); !made) return made;
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) return fail(Error::unavailable("cannot move " + from.string() + " to " + to.string() + ": " + ec.message()));
  return sync_directory(to.parent_path());
}

}  // namespace genq
