#include "genq/http/multipart.hpp"

#include <algorithm>
#include <cctype>

#include "genq/core/text.hpp"

namespace genq::http {
namespace {

// A header line's value: blanks around it and a stray CR at its end dropped.
std::string_view trim(std::string_view s) {
  while (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return trim_blanks(s);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Value of `key` in a header like: form-data; name="image"; filename="a.png"
std::string header_param(std::string_view header, std::string_view key) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t semi = header.find(';', pos);
    std::string_view item = trim(header.substr(pos, semi == std::string_view::npos ? header.npos : semi - pos));
    std::size_t eq = item.find('=');
    if (eq != std::string_view::npos && iequals(trim(item.substr(0, eq)), key)) {
      std::string_view value = trim(item.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
    if (semi == std::string_view::npos) break;
    pos = semi + 1;
  }
  return {};
}

}  // namespace

std::string multipart_boundary(std::string_view content_type) {
  std::size_t semi = content_type.find(';');
  if (semi == std::string_view::npos) return {};
  if (!iequals(trim(content_type.substr(0, semi)), "multipart/form-data")) return {};
  return header_param(content_type.substr(semi + 1), "boundary");
}

void FormPart::own(std::string bytes) {
  auto owned = std::make_shared<const std::string>(std::move(bytes));
  data = *owned;
  storage = std::move(owned);
}

Result<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary,
                                              std::shared_ptr<const void> body_storage) {
  if (boundary.empty() || boundary.size() > 70) return fail(Error::invalid("missing or bad multipart boundary"));
  const std::string delimiter = "--" + std::string(boundary);
  std::vector<FormPart> parts;
  std::size_t field_bytes = 0;
  std::size_t pos = body.find(delimiter);
  if (pos == std::string_view::npos) return fail(Error::invalid("multipart body has no boundary"));
  pos += delimiter.size();
  while (true) {
    if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return fail(Error::invalid("malformed multipart delimiter"));
    if (parts.size() == kMaxFormParts) {
      return fail(Error::invalid("more than " + std::to_string(kMaxFormParts) + " parts"));
    }
    pos += 2;
    std::size_t headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) return fail(Error::invalid("multipart part without headers"));
    FormPart part;
    std::string_view headers = body.substr(pos, headers_end - pos);
    std::size_t line_start = 0;
    while (line_start <= headers.size()) {
      std::size_t line_end = headers.find("\r\n", line_start);
      std::string_view line = headers.substr(line_start, line_end == std::string_view::npos ? headers.npos : line_end - line_start);
      std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string_view name = trim(line.substr(0, colon));
        std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "Content-Disposition")) {
          part.name = header_param(value, "name");
          part.filename = header_param(value, "filename");
        } else if (iequals(name, "Content-Type")) {
          part.content_type = std::string(value);
        }
      }
      if (line_end == std::string_view::npos) break;
      line_start = line_end + 2;
    }
    if (part.name.empty()) return fail(Error::invalid("multipart part without a name"));
    std::size_t data_start = headers_end + 4;
    std::size_t next = body.find("\r\n" + delimiter, data_start);
    if (next == std::string_view::npos) return fail(Error::invalid("multipart part is not terminated"));
    if (!part.is_file()) {
      field_bytes += next - data_start;
      if (field_bytes > kMaxFormFieldBytes) {
        return fail(Error::invalid("the fields other than files exceed " + std::to_string(kMaxFormFieldBytes / 1024) +
                                   " KiB together"));
      }
    }
    part.data = body.substr(data_start, next - data_start);
    part.storage = body_storage;
    parts.push_back(std::move(part));
    pos = next + 2 + delimiter.size();
  }
}

}  // namespace genq::http
