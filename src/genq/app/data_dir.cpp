#include "genq/app/data_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "genq/blob/durable_files.hpp"

namespace genq::app {
namespace fs = std::filesystem;

Result<DataDir> open_data_dir(const std::string& path) {
  // The directory holds every client's uploads and results, API key hashes and webhook
  // secrets: the process's own user only. umask covers what this process creates from
  // now on (database, WAL, blobs, uploads); the directory's mode and its top-level
  // files cover what an earlier version left readable.
  ::umask(077);
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) return fail(Error::unavailable("cannot create data directory " + path + ": " + ec.message()));
  fs::permissions(path, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) return fail(Error::unavailable("cannot restrict data directory " + path + " to its owner: " + ec.message()));
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    std::error_code file_ec;
    if (entry.is_regular_file(file_ec)) {
      fs::permissions(entry.path(), fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, file_ec);
    }
  }
  return DataDir{fs::path(path)};
}

std::optional<std::string> read_secret(const DataDir& dir, const std::string& name) {
  std::ifstream in(dir.root / name);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  std::string value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ')) value.pop_back();
  if (value.empty()) return std::nullopt;
  return value;
}

Result<std::string> read_or_create_secret(const DataDir& dir, const std::string& name,
                                          const std::function<std::string()>& make) {
  fs::path path = dir.root / name;
  if (std::optional<std::string> existing = read_secret(dir, name)) return *existing;
  std::string value = make();
  // O_EXCL: if two processes race on first start, one wins and the other reads its value.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    std::ifstream again(path);
    std::stringstream text;
    text << again.rdbuf();
    std::string existing = text.str();
    while (!existing.empty() && existing.back() == '\n') existing.pop_back();
    if (existing.empty()) return fail(Error::unavailable("cannot create " + path.string()));
    return existing;
  }
  std::string line = value + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return fail(Error::unavailable("cannot write " + path.string()));
  if (auto named = sync_directory(dir.root); !named) return fail(named.error());  // the new name, too
  return value;
}

}  // namespace genq::app
