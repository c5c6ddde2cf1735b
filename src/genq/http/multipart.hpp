#pragma once
// multipart/form-data (RFC 7578) parsing for submits that carry files. Pure.
// Hand-written because none of the project's libraries parses multipart; it is
// small, bounded by the body limit, and covered by unit tests.
#include <string>
#include <string_view>
#include <vector>

#include "genq/core/error.hpp"

namespace genq::http {

struct FormPart {
  std::string name;
  std::string filename;      // empty for plain fields
  std::string content_type;  // of the part, empty if not given
  std::string data;
  bool is_file() const { return !filename.empty(); }
};

// Extracts the boundary parameter of a Content-Type header; empty if none.
std::string multipart_boundary(std::string_view content_type);
// Invalid with a reason when the body is not well-formed multipart.
Result<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary);

}  // namespace genq::http
