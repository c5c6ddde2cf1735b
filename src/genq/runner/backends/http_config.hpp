#pragma once
// The `backend` object of an http model in the catalog, parsed and checked: where a
// local inference server takes a job, what body it gets, and where the result and
// progress are. The format is described at the top of http_config.cpp and in
// docs/worker-backends.md. A value, immutable after parsing; thread-safe.
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "genq/catalog/catalog.hpp"
#include "genq/runner/backends/arg_template.hpp"

namespace genq::runner {

// How input files travel to the inference server.
enum class InputPassing { Path, Base64 };

struct HttpConfig {
  ArgTemplate url;                          // POSTed with the JSON body
  std::optional<boost::json::value> body;   // template; none: the default body
  InputPassing inputs = InputPassing::Path;
  std::string result_pointer;               // JSON pointer into a JSON answer; empty = all of it
  std::optional<ArgTemplate> progress_url;  // GET, polled while the job runs
  std::chrono::milliseconds progress_interval{500};
  std::chrono::seconds timeout{600};
};

// Invalid with a message naming the bad key. Placeholders are checked against
// `model`'s parameters.
Result<HttpConfig> parse_http_config(const boost::json::value& backend, const catalog::ModelSpec& model);

}  // namespace genq::runner
