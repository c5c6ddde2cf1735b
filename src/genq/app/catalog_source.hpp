#pragma once
// Where `genq serve` and `genq worker` get the model catalog: a file given with
// --catalog, else the config/models.json compiled into the binary.
#include <string>

#include "genq/catalog/catalog.hpp"

namespace genq::app {

// `path` empty: the built-in catalog. Invalid or NotFound with the loader's message.
Result<catalog::Catalog> load_catalog(const std::string& path);

}  // namespace genq::app
