#pragma once
// A submit's `priority` field (both dialects; docs/api.md, "Priorities and fair share"):
// low, normal (when absent) or high, and no higher than the client's grant.
#include <boost/json.hpp>

#include <expected>
#include <string>

#include "genq/core/job.hpp"
#include "genq/store/account_store.hpp"

namespace genq::api {

struct PriorityRefusal {
  unsigned status = 422;  // 422: not a priority; 403: above the client's max_priority
  std::string message;
};

std::expected<Priority, PriorityRefusal> read_priority(const boost::json::value* field, const Client& client);

}  // namespace genq::api
