#pragma once
// Which HTTP request the calling thread is working on, for log lines (docs/operations.md,
// "Logs"): the HTTP session sets it while it runs a handler and while it answers, and
// the log formats print it as request_id. Work a handler hands to another thread (a
// store's completion, a pool task) carries no id: its lines name the job instead.
#include <string_view>

namespace genq::log_context {

// The current request's id, or empty.
std::string_view request_id();

// Sets the current request's id for this thread until destroyed; nests.
class RequestScope {
 public:
  explicit RequestScope(std::string_view request_id);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

 private:
  std::string_view previous_;
};

}  // namespace genq::log_context
