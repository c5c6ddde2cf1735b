// An exec model's argument template (from the operator's catalog) and the values a job
// fills in (from a client): parse never crashes, and an expansion is one string made
// of the literal text and the values, whatever the values contain.
#include <string>

#include "fuzz_input.hpp"
#include "genq/runner/backends/arg_template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  genq::fuzz::FuzzInput input(data, size);
  const std::string_view text = input.field();
  const std::string value(input.rest());
  auto parsed = genq::runner::ArgTemplate::parse(text);
  if (!parsed) return 0;
  const bool missing = (size % 3) == 0;
  auto expanded = parsed->expand([&](std::string_view name) -> std::optional<std::string> {
    if (missing && name.size() % 2 == 0) return std::nullopt;
    return value;
  });
  if (expanded && expanded->size() > text.size() + value.size() * text.size()) __builtin_trap();
  return 0;
}
