#include "genq/logging/log_context.hpp"

namespace genq::log_context {
namespace {
thread_local std::string_view current;
}  // namespace

std::string_view request_id() { return current; }

RequestScope::RequestScope(std::string_view request_id) : previous_(current) { current = request_id; }
RequestScope::~RequestScope() { current = previous_; }

}  // namespace genq::log_context
