#include "genq/api/request_body.hpp"

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include <cctype>
#include <memory>

#include "genq/core/mapped_file.hpp"
#include "genq/core/utf8.hpp"
#include "genq/http/target.hpp"

namespace genq::api {
namespace {

bool is_urlencoded(std::string content_type) {
  for (char& c : content_type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return content_type.starts_with("application/x-www-form-urlencoded");
}

// name=value&… as an HTML form (and httpx's data= without files) sends it; fields
// are text, like multipart form fields.
Result<SubmitBody> parse_urlencoded(std::string_view body) {
  SubmitBody out;
  out.from_form = true;
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view pair = body.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto name = http::percent_decode(pair.substr(0, eq), true);
    auto value = http::percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!name || !value || name->empty()) return fail(Error::invalid("The form body is malformed."));
    if (!is_valid_utf8(*value)) return fail(Error::invalid("The " + *name + " field is not valid UTF-8."));
    if (out.fields.contains(*name)) return fail(Error::invalid("The " + *name + " field was sent twice."));
    out.fields[*name] = *value;
  }
  return out;
}

}  // namespace

std::vector<std::string> SubmitBody::file_names() const {
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.name);
  return names;
}

const http::FormPart* SubmitBody::file(std::string_view name) const {
  for (const auto& f : files) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Result<boost::json::object> parse_json_object(const std::string& body) {
  if (body.empty()) return boost::json::object{};
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec) return fail(Error::invalid("The request body is not valid JSON."));
  if (!value.is_object()) return fail(Error::invalid("The request body must be a JSON object."));
  return std::move(value.as_object());
}

Result<SubmitBody> parse_submit_body(const http::Request& request) {
  SubmitBody out;
  std::string content_type = request.header("Content-Type");
  if (is_urlencoded(content_type)) return parse_urlencoded(request.body);
  std::string boundary = http::multipart_boundary(content_type);
  if (boundary.empty()) {
    auto object = parse_json_object(request.body);
    if (!object) return fail(object.error());
    out.fields = std::move(*object);
    return out;
  }
  // A multipart body was spooled to a file (http::Route::spool_multipart): its parts
  // are views into the file's mapping. One held in memory is shared by its parts.
  std::shared_ptr<const void> storage;
  std::string_view bytes;
  if (!request.body_file.empty()) {
    auto mapped = MappedFile::open(request.body_file);
    if (!mapped) {
      spdlog::error("cannot read the spooled submit body: {}", mapped.error().message);
      return fail(Error::internal("Cannot read the request body."));
    }
    bytes = (*mapped)->bytes();
    storage = std::move(*mapped);
  } else {
    auto copy = std::make_shared<const std::string>(request.body);
    bytes = *copy;
    storage = std::move(copy);
  }
  auto parts = http::parse_multipart(bytes, boundary, std::move(storage));
  if (!parts) return fail(Error::invalid("The multipart body is malformed: " + parts.error().message + "."));
  out.from_form = true;
  for (auto& part : *parts) {
    if (part.is_file()) {
      // "images[]" is a list: one part per file (deAPI's multi-image inputs).
      if (!part.name.ends_with("[]") && out.file(part.name)) {
        return fail(Error::invalid("The " + part.name + " file was sent twice."));
      }
      out.files.push_back(std::move(part));
      continue;
    }
    if (!is_valid_utf8(part.data)) return fail(Error::invalid("The " + part.name + " field is not valid UTF-8."));
    if (out.fields.contains(part.name)) return fail(Error::invalid("The " + part.name + " field was sent twice."));
    out.fields[part.name] = part.data;
  }
  return out;
}

}  // namespace genq::api
