// A submit body for every task of the shipped catalog (config/models.json), as JSON or
// as form fields: validation either refuses it with field messages or accepts it with
// parameters inside their bounds, and the price of an accepted request is a finite,
// non-negative number.
#include <boost/json/parse.hpp>

#include <cmath>
#include <cstdlib>

#include "fuzz_input.hpp"
#include "genq/catalog/catalog.hpp"

namespace {

const genq::catalog::Catalog& shipped_catalog() {
  static const genq::catalog::Catalog catalog = [] {
    auto loaded = genq::catalog::Catalog::load_file(GENQ_CATALOG_FILE);
    if (!loaded) std::abort();
    return std::move(*loaded);
  }();
  return catalog;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& catalog = shipped_catalog();
  genq::fuzz::FuzzInput input(data, size);
  const auto& task = catalog.tasks()[input.byte() % catalog.tasks().size()];
  const std::uint8_t flags = input.byte();
  boost::system::error_code ec;
  const boost::json::value body = boost::json::parse(input.rest(), ec);
  if (ec || !body.is_object()) return 0;
  const std::vector<std::string> files = (flags & 2) ? task.file_fields : std::vector<std::string>{};
  auto validated = catalog.validate(task.name, body.as_object(), {"webhook_url"}, files, (flags & 1) != 0,
                                    (flags & 4) ? genq::catalog::ValidationMode::Price
                                                : genq::catalog::ValidationMode::Submit);
  if (!validated) {
    if (validated.error().empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  for (const auto& spec : validated->model->params) {
    const auto* value = validated->params.if_contains(spec.name);
    if (value == nullptr || !value->is_number()) continue;
    const double number = value->to_number<double>();
    if (spec.nullable_random_seed && number == -1) continue;
    if ((spec.min && number < *spec.min) || (spec.max && number > *spec.max)) __builtin_trap();
  }
  const double price = catalog.price(*validated);
  if (!std::isfinite(price) || price < 0) __builtin_trap();
  return 0;
}
