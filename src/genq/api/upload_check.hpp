#pragma once
// Checks of the files a submit carries, in both dialects, before anything is stored:
// not empty, within its kind's size limit, and of its kind by content (an `image`
// field must hold an image). Each problem is a 422 on the file's field.
#include <vector>

#include "genq/catalog/catalog.hpp"
#include "genq/http/multipart.hpp"

namespace genq::api {

void check_uploads(const catalog::Catalog& catalog, const std::vector<http::FormPart>& files,
                   catalog::FieldErrors& errors);

}  // namespace genq::api
