#include "genq/app/catalog_source.hpp"

#include <boost/json/parse.hpp>

namespace genq::app {

std::string_view embedded_catalog();

Result<catalog::Catalog> load_catalog(const std::string& path) {
  if (!path.empty()) {
    return catalog::Catalog::load_file(path);
  }
  boost::system::error_code ec;
  auto doc = boost::json::parse(embedded_catalog(), ec);
  if (ec) {
    return fail(Error::internal("embedded catalog is not valid JSON"));
  }
  return catalog::Catalog::parse(doc);
}

}  // namespace genq::app
