#pragma once
// multipart/form-data (RFC 7578) parsing for submits that carry files. Pure.
// Hand-written because none of the project's libraries parses multipart; it is
// small, bounded by the body limit, and covered by unit tests.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/error.hpp"

namespace genq::http {

struct FormPart {
  std::string name;
  std::string filename;      // empty for plain fields
  std::string content_type;  // of the part, empty if not given
  // The part's bytes, kept alive by `storage`: the spooled body's mapping (a file in a
  // multi-megabyte submit is never copied onto the heap) or bytes of its own. Copies
  // of a part share them.
  std::string_view data;
  std::shared_ptr<const void> storage;
  bool is_file() const { return !filename.empty(); }
  // The part now holds these bytes (a downloaded or base64-decoded file).
  void own(std::string bytes);
};

// What one body may hold. Each part costs a FormPart beside its bytes: before these
// caps a 63 MiB body of empty parts took +337 MiB (docs/security.md). A submit has a
// few dozen fields and files at most.
inline constexpr std::size_t kMaxFormParts = 256;
// Bytes of the plain fields (not files) together: prompts, parameters.
inline constexpr std::size_t kMaxFormFieldBytes = 1024 * 1024;

// Extracts the boundary parameter of a Content-Type header; empty if none.
std::string multipart_boundary(std::string_view content_type);
// Invalid with a reason when the body is not well-formed multipart, or holds more than
// kMaxFormParts parts or kMaxFormFieldBytes of plain fields. Stops at the first part
// past a cap: a refused body costs no more than the parts before it. Each part's data
// is a view into `body`, kept alive by `body_storage`.
Result<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                              std::shared_ptr<const void> body_storage = nullptr);

}  // namespace genq::http
