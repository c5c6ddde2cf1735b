#include "genq/api/body_limits.hpp"

#include <algorithm>

namespace genq::api {
namespace {

// Part headers and boundaries of a multipart body, per file.
constexpr std::size_t kMultipartOverheadPerFile = 16 * 1024;

std::size_t capped(const Services& services, std::size_t limit) {
  const std::size_t cap = services.options.max_body_bytes;
  return cap > 0 ? std::min(limit, cap) : limit;
}

}  // namespace

std::size_t submit_body_limit(const Services& services, std::string_view task) {
  const std::size_t fields = services.options.max_json_bytes;
  const catalog::TaskSpec* spec = services.catalog.find_task(task);
  const std::size_t files = spec ? services.catalog.files_limit(*spec) : 0;
  if (files == 0) return capped(services, fields);
  const std::size_t parts = spec->file_fields.size() + spec->optional_files.size();
  return capped(services, fields + files + kMultipartOverheadPerFile * parts);
}

std::size_t generate_task_body_limit(const Services& services, std::string_view model) {
  const std::size_t fields = services.options.max_json_bytes;
  const catalog::ModelSpec* spec = services.catalog.find_model(model);
  if (!spec) return fields;
  std::size_t files = 0;
  for (const std::string& task : spec->tasks) {
    if (const catalog::TaskSpec* t = services.catalog.find_task(task)) {
      files = std::max(files, services.catalog.files_limit(*t));
    }
  }
  if (files == 0) return fields;
  return capped(services, fields + (files + 2) / 3 * 4);  // base64: 4 characters per 3 bytes
}

http::Route taking_files(http::Route route, std::function<std::size_t(const http::Request&)> limit) {
  route.body_limit_for = std::move(limit);
  route.spool_multipart = true;
  return route;
}

}  // namespace genq::api
