#include "genq/runner/find_program.hpp"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace genq::runner {
namespace {

bool is_executable_file(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::optional<std::filesystem::path> find_program(const std::string& program) {
  if (program.empty()) {
    return std::nullopt;
  }
  if (program.find('/') != std::string::npos) {
    return is_executable_file(program) ? std::optional<std::filesystem::path>(program) : std::nullopt;
  }
  const char* path = std::getenv("PATH");
  // posix_spawnp's fallback when PATH is unset.
  std::string_view dirs = path != nullptr ? path : "/bin:/usr/bin";
  while (true) {
    const auto colon = dirs.find(':');
    const std::string_view dir = dirs.substr(0, colon);
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
    if (is_executable_file(candidate)) {
      return candidate;
    }
    if (colon == std::string_view::npos) {
      return std::nullopt;
    }
    dirs.remove_prefix(colon + 1);
  }
}

}  // namespace genq::runner
