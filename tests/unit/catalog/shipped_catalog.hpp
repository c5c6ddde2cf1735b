#pragma once
// The catalog shipped in config/models.json, loaded once for the catalog tests.
// Unit tests get no source-dir definition, so the file is found from this header.
#include <boost/json.hpp>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "genq/catalog/catalog.hpp"

namespace genq::catalog::fixtures {

inline std::string shipped_catalog_path() {
  return (std::filesystem::path(__FILE__).parent_path() / "../../../config/models.json")
      .lexically_normal()
      .string();
}

inline const Catalog& shipped_catalog() {
  static const Catalog catalog = [] {
    auto loaded = Catalog::load_file(shipped_catalog_path());
    if (!loaded) {
      throw std::runtime_error(loaded.error().message);
    }
    return std::move(*loaded);
  }();
  return catalog;
}

inline boost::json::object body(std::string_view json_text) {
  return boost::json::parse(json_text).as_object();
}

}  // namespace genq::catalog::fixtures
