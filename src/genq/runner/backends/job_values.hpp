#pragma once
// What the placeholders of exec and http models stand for in one job:
//   {PARAM}          a parameter's value as text (integers in decimal, numbers in
//                    shortest form, booleans true/false); no value when absent or null
//   {input.FIELD}    the path of the downloaded input file FIELD (e.g. input.image)
//   {output}         the path of the output file in the work directory
//   {dir}            the job's work directory
//   {job_id} {model} {task}
// A view over a JobSpec that must outlive it; thread-safe for reading.
#include <boost/json/value.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "genq/catalog/catalog.hpp"
#include "genq/runner/backends/arg_template.hpp"
#include "genq/runner/backends/backend.hpp"

namespace genq::runner {

class JobValues {
 public:
  JobValues(const JobSpec& job, std::filesystem::path output) : job_(job), output_(std::move(output)) {}

  std::optional<std::string> text(std::string_view name) const;
  // For ArgTemplate::expand.
  ArgTemplate::Lookup lookup() const {
    return [this](std::string_view name) { return text(name); };
  }

 private:
  const JobSpec& job_;
  std::filesystem::path output_;
};

// A JSON parameter value as it goes on a command line.
std::string param_text(const boost::json::value& value);

// Invalid unless every placeholder of `arg` names something a job of `model` can
// have: a non-file parameter, input.F for a file parameter F, or a built-in name.
Status check_placeholders(const ArgTemplate& arg, const catalog::ModelSpec& model);

// ArgTemplate::parse then check_placeholders: a catalog template a job of `model` can fill.
Result<ArgTemplate> parse_model_template(std::string_view text, const catalog::ModelSpec& model);

}  // namespace genq::runner
