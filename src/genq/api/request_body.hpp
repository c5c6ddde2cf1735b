#pragma once
// Turns a submit body (JSON object, multipart/form-data with files, or an
// application/x-www-form-urlencoded form, which deAPI's SDK sends for
// videos/replace/price) into fields and files for validation. Errors are the 400s
// of the client API.
#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "genq/core/error.hpp"
#include "genq/http/multipart.hpp"
#include "genq/http/request.hpp"

namespace genq::api {

struct SubmitBody {
  boost::json::object fields;            // JSON values, or strings for form fields
  std::vector<http::FormPart> files;     // file parts, by field name
  bool from_form = false;
  std::vector<std::string> file_names() const;
  const http::FormPart* file(std::string_view name) const;
};

// Invalid with a client-facing message ("The request body is not valid JSON.").
Result<SubmitBody> parse_submit_body(const http::Request& request);
// A JSON object body (empty body = {}), for endpoints without files.
Result<boost::json::object> parse_json_object(const std::string& body);

}  // namespace genq::api
