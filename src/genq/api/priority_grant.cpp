#include "genq/api/priority_grant.hpp"

namespace genq::api {

std::expected<Priority, PriorityRefusal> read_priority(const boost::json::value* field, const Client& client) {
  if (field == nullptr || field->is_null() || (field->is_string() && field->as_string().empty())) {
    return Priority::Normal;
  }
  std::optional<Priority> priority;
  if (field->is_string()) priority = parse_priority(std::string_view(field->as_string()));
  if (!priority) {
    return std::unexpected(PriorityRefusal{422, "The priority field must be low, normal or high."});
  }
  // Authenticated, but not allowed this much: a 403, as for a disabled model, so a
  // client is never silently served at a priority it did not ask for.
  if (static_cast<int>(*priority) > static_cast<int>(client.limits.max_priority)) {
    return std::unexpected(PriorityRefusal{
        403, "This client may submit at priority " + std::string(to_string(client.limits.max_priority)) +
                 " at most; ask the operator for a higher max_priority."});
  }
  return *priority;
}

}  // namespace genq::api
