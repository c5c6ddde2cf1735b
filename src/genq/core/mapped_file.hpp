#pragma once
// A file's bytes mapped read-only into memory. The page cache backs them, not the heap:
// a spooled multi-megabyte request body is parsed, hashed and copied to its blob
// without a heap copy, and the kernel may drop its pages under pressure.
#include <memory>
#include <string>
#include <string_view>

#include "genq/core/error.hpp"

namespace genq {

class MappedFile {
 public:
  // The whole file as it is now; an empty file maps to an empty view.
  static Result<std::shared_ptr<const MappedFile>> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {static_cast<const char*>(address_), size_}; }

 private:
  MappedFile(void* address, std::size_t size) : address_(address), size_(size) {}
  void* address_;
  std::size_t size_;
};

}  // namespace genq
