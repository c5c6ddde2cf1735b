#include "genq/api/upload_check.hpp"

namespace genq::api {

std::optional<std::string> upload_problem(const catalog::Catalog& catalog, std::string_view field,
                                          std::string_view data, catalog::FileKind kind) {
  const std::string name(field);
  if (data.empty()) return "The " + name + " file must not be empty.";
  if (const std::size_t limit = catalog.file_limits().of(kind); data.size() > limit) {
    return catalog::file_too_large_message(name, limit);
  }
  return catalog::file_content_problem(name, kind, data);
}

void check_uploads(const catalog::Catalog& catalog, const std::vector<http::FormPart>& files,
                   catalog::FieldErrors& errors) {
  for (const auto& file : files) {
    if (auto problem = upload_problem(catalog, file.name, file.data, catalog::file_kind_of(file.name))) {
      errors.add(file.name, std::move(*problem));
    }
  }
}

}  // namespace genq::api
