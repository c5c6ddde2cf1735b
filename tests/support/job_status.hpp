#pragma once
// Polling GET /api/v1/client/request-status/{id} until a condition holds, with a
// deadline, recording what was seen on the way (statuses, progress, previews) so a
// test can assert on the path a job took, not only where it ended.
#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "support/http_client.hpp"

namespace genq::testing {

using StatusPredicate = std::function<bool(const boost::json::object& data)>;

// Everything observed while polling one job.
struct StatusTrace {
  std::vector<std::string> statuses;  // consecutive duplicates collapsed
  std::vector<double> progress;       // each distinct progress value, in order seen
  std::vector<double> running_progress;  // the same, only above 0 while status was processing
  // Every progress read that was not a JSON number (null, a string, absent), as JSON
  // text: deAPI's SDK reads progress as a float, so this should stay empty.
  std::vector<std::string> non_number_progress;
  std::vector<std::string> previews;  // each distinct preview (data URL), in order seen
  std::optional<boost::json::object> last;  // the last "data" object read
  std::string last_error;             // the last non-200 answer, if any

  // "pending → processing → done; progress 12.5, 50; 2 previews".
  std::string describe() const;
  bool saw(std::string_view status) const;
};

// The "data" object of one status read; nullopt (and `error` set) on a non-200.
std::optional<boost::json::object> read_status(const HttpClient& client,
                                               const std::string& request_id,
                                               std::string* error = nullptr);

// Polls every few milliseconds until `until(data)` holds or `timeout` passes;
// returns the matching data object, or nullopt on timeout. `trace` (optional)
// collects everything seen.
std::optional<boost::json::object> poll_status(const HttpClient& client,
                                               const std::string& request_id,
                                               const StatusPredicate& until,
                                               std::chrono::milliseconds timeout,
                                               StatusTrace* trace = nullptr);

// Common predicates.
StatusPredicate status_is(std::string status);
StatusPredicate is_final();  // "done" or "error"
// "processing" with progress above 0: a worker has reported progress (the polled
// document reads the store's in_progress as processing).
StatusPredicate has_progress();
// Claimed at least: "processing", "done" or "error".
StatusPredicate is_started();

// The string field of a status object, or "" when absent or null.
std::string field(const boost::json::object& data, std::string_view name);
// progress (a number, or a numeric string) as a number; nullopt when null or absent.
std::optional<double> progress_of(const boost::json::object& data);

}  // namespace genq::testing
