// multipart/form-data as a hostile client sends it: the boundary from a Content-Type
// header, then the body. Parts must lie inside the body and the parser must never read
// past it (ASan), whatever the nesting of boundaries, headers and CRLFs.
#include "fuzz_input.hpp"
#include "genq/http/multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  genq::fuzz::FuzzInput input(data, size);
  const std::string_view content_type = input.field();
  const std::string boundary = genq::http::multipart_boundary(content_type);
  const std::string_view body = input.rest();
  auto parts = genq::http::parse_multipart(body, boundary.empty() ? std::string_view("b") : std::string_view(boundary));
  if (parts) {
    std::size_t bytes = 0;
    for (const auto& part : *parts) bytes += part.name.size() + part.data.size();
    if (bytes > body.size()) __builtin_trap();  // parts are slices of the body
  }
  return 0;
}
