#include "genq/api/upload_check.hpp"

namespace genq::api {

void check_uploads(const catalog::Catalog& catalog, const std::vector<http::FormPart>& files,
                   catalog::FieldErrors& errors) {
  for (const auto& file : files) {
    if (file.data.empty()) {
      errors.add(file.name, "The " + file.name + " file must not be empty.");
      continue;
    }
    if (const std::size_t limit = catalog.file_limit(file.name); file.data.size() > limit) {
      errors.add(file.name, catalog::file_too_large_message(file.name, limit));
      continue;
    }
    if (auto problem = catalog::file_content_problem(file.name, catalog::file_kind_of(file.name), file.data)) {
      errors.add(file.name, std::move(*problem));
    }
  }
}

}  // namespace genq::api
