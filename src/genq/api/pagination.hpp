#pragma once
// Laravel's paginated lists, as deAPI answers GET /models (and genq GET /usage):
// ?page= and ?per_page= in, {"data":[…],"links":{first,last,prev,next},"meta":{…}} out.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "genq/http/request.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {

struct PageRequest {
  std::int64_t page = 1;
  std::int64_t per_page = 15;
  bool per_page_given = false;  // links repeat per_page only when the client sent it
  // The list's filters as the client sent them (status=error): the links repeat them,
  // after page and per_page, so "next" stays within the filtered list.
  std::vector<std::pair<std::string, std::string>> filters;
  // Rows to skip; capped far past any real end, so a huge page cannot overflow.
  std::int64_t offset() const;
};

// Reads ?page= (≥ 1) and ?per_page= (1–100); a bad value adds a 422 problem.
PageRequest read_page_request(const http::Request& request, http::FieldProblems& problems);

// The whole answer for one page of `total` rows; `path` is the list's absolute URL.
boost::json::object paginated(boost::json::array data, const PageRequest& page, std::int64_t total,
                              const std::string& path);

}  // namespace genq::api
