#pragma once
// Checks of the files a submit carries, in both dialects, before anything is stored:
// not empty, within its kind's size limit, and of its kind by content (an `image`
// field must hold an image). Each problem is a 422 on the file's field.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "genq/catalog/catalog.hpp"
#include "genq/http/multipart.hpp"

namespace genq::api {

// The problem with one file's `data` as a `kind` input, named `field` in the message;
// nullopt when it is fine.
std::optional<std::string> upload_problem(const catalog::Catalog& catalog, std::string_view field,
                                          std::string_view data, catalog::FileKind kind);

// Every file by the kind its field name gives.
void check_uploads(const catalog::Catalog& catalog, const std::vector<http::FormPart>& files,
                   catalog::FieldErrors& errors);

}  // namespace genq::api
