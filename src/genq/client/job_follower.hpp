#pragma once
// Follows one job to its end for `genq submit --wait`: over the WebSocket (the
// client's private channel, events request.status.updated) when the server offers it,
// else, or when the socket fails, by polling request-status once a second. Either way
// the final document is read from request-status, which carries the text result and a
// fresh result_url.
#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>

#include "genq/client/client_api.hpp"

namespace genq::client {

// A step of the job, as the progress display shows it.
struct JobUpdate {
  std::string status;                         // pending, processing, in_progress, done, error
  double progress = 0;                        // 0–100
  std::optional<std::int64_t> queue_position;  // while pending
  std::string preview;                        // a data: URL, when this update brought one
};

class JobFollower {
 public:
  using OnUpdate = std::function<void(const JobUpdate&)>;
  // Said once when the follower leaves the WebSocket for polling, and why.
  using OnNotice = std::function<void(const std::string&)>;

  JobFollower(ClientApi& api, OnUpdate on_update, OnNotice on_notice)
      : api_(api), on_update_(std::move(on_update)), on_notice_(std::move(on_notice)) {}

  // The final request-status data object (status done or error).
  Result<boost::json::object> follow(const std::string& request_id);

 private:
  // nullopt: the WebSocket could not be used (a notice says why); polling takes over.
  std::optional<Result<boost::json::object>> follow_over_websocket(const std::string& request_id);
  Result<boost::json::object> follow_by_polling(const std::string& request_id);
  // Reports a request-status document; true when it is final.
  bool report_status(const boost::json::object& status);

  ClientApi& api_;
  OnUpdate on_update_;
  OnNotice on_notice_;
};

bool is_final_status(const std::string& status);

}  // namespace genq::client
