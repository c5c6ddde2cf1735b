#pragma once
// A fresh directory under $TMPDIR (or /tmp), removed with everything in it when the
// object is destroyed. Move-only; not thread-safe (tests own one each).
#include <filesystem>
#include <string>

namespace genq::testing {

class TempDir {
 public:
  // `prefix` names the directory so leftovers (after a crash) are recognisable.
  explicit TempDir(const std::string& prefix = "genq-test");
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, as a string, for argv and file APIs.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  void remove();
  std::filesystem::path path_;
};

// Reads a whole file as bytes; throws if it cannot be opened.
std::string read_file(const std::filesystem::path& path);
// Writes bytes to a file, replacing it; throws on failure.
void write_file(const std::filesystem::path& path, std::string_view bytes);

}  // namespace genq::testing
