#include "genq/blob/spool_dir.hpp"

#include <spdlog/spdlog.h>

#include "genq/crypto/crypto.hpp"

namespace genq {
namespace fs = std::filesystem;

Result<SpoolDir> SpoolDir::open(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return fail(Error::unavailable("cannot create blob directory " + dir.string() + ": " + ec.message()));
  SpoolDir spool(dir);
  if (std::size_t removed = spool.remove_stale(std::chrono::seconds(0)); removed > 0) {
    spdlog::info("removed {} unfinished upload(s) from {}", removed, dir.string());
  }
  return spool;
}

fs::path SpoolDir::next_path() {
  return dir_ / (crypto::random_token("up_", 12) + "." + std::to_string(++counter_));
}

std::size_t SpoolDir::remove_stale(std::chrono::seconds idle) {
  const auto cutoff = fs::file_time_type::clock::now() - idle;
  std::size_t removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code entry_ec;
    if (!it->is_regular_file(entry_ec)) continue;
    const auto written = it->last_write_time(entry_ec);
    if (entry_ec || written > cutoff) continue;
    if (fs::remove(it->path(), entry_ec)) ++removed;
  }
  return removed;
}

}  // namespace genq
