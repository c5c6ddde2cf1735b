#pragma once
// Builds valid submit bodies from the model catalog instead of hard-coding them, so
// tests stay true when the catalog grows: for a task, the first model serving it,
// its required parameters and small sizes (64×64 or the model's minimum, few steps,
// shortest duration), and
// generated input files (PNG, WAV, MP4) for tasks that take files.
#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <vector>

#include "genq/catalog/catalog.hpp"
#include "support/http_client.hpp"
#include "support/temp_dir.hpp"

namespace genq::testing {

// One submit: sent as JSON, or as multipart/form-data when it carries files.
struct JobRequest {
  std::string task;
  std::string model;
  boost::json::object fields;   // includes "model"
  std::vector<FilePart> files;  // empty for JSON tasks

  // POST /api/v1/client/{task}.
  HttpResponse submit(const HttpClient& client, const Headers& headers = {}) const;
  // POST /api/v1/client/{task}/price-calculation with the same body.
  HttpResponse price(const HttpClient& client) const;
};

// The request_id of a 200 submit; throws with the response otherwise.
std::string request_id_of(const HttpResponse& response);

class RequestFactory {
 public:
  // Loads the catalog file; throws with the loader's message if it is invalid.
  // `scratch` holds the generated input files and must outlive the factory.
  RequestFactory(const std::string& catalog_path, const TempDir& scratch);

  const catalog::Catalog& catalog() const { return catalog_; }
  // First model (in catalog order) serving `task`; nullptr when none does.
  const catalog::ModelSpec* model_for(std::string_view task) const;
  // First model that does not serve `task`; nullptr when every model does.
  const catalog::ModelSpec* model_not_serving(std::string_view task) const;
  const catalog::ParamSpec* param(const catalog::ModelSpec& model, std::string_view name) const;

  // A minimal valid request for `task` with `model_for(task)`; throws when the
  // catalog has no such task or model.
  JobRequest minimal(std::string_view task) const;
  JobRequest minimal(std::string_view task, const catalog::ModelSpec& model) const;

 private:
  boost::json::value choose_value(const catalog::ParamSpec& param) const;
  FilePart input_file(std::string_view task, const std::string& field) const;

  catalog::Catalog catalog_;
  const TempDir& scratch_;
  mutable std::map<std::string, std::string> generated_;  // kind -> path, made once
};

// Every task the contract names (SPEC §3).
const std::vector<std::string>& contract_tasks();

}  // namespace genq::testing
