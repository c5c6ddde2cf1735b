#pragma once
// Making a file's bytes and its name survive a crash or a power loss. A file's fsync
// writes its bytes; its name is an entry of its directory, written only by an fsync
// of the directory. Every fsync is checked: a failed one means the data may be lost,
// and the caller must not acknowledge it (after a failed fsync Linux may already have
// dropped the dirty pages, so a retry proves nothing).
#include <filesystem>

#include "genq/core/error.hpp"

namespace genq {

Status sync_file(const std::filesystem::path& file);
Status sync_directory(const std::filesystem::path& dir);
// create_directories, then an fsync of the parent of each directory it created.
Status create_directories_durably(const std::filesystem::path& dir);
// fsync `from`, rename it to `to` (same filesystem), fsync `to`'s directory; the
// directories on the way to `to` are created durably when missing.
Status durable_rename(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace genq
