#pragma once
// Sync mode for submits (docs/api.md, "Waiting for the result"): `Prefer: wait[=N]`
// (RFC 7240) holds the submit until the job is final or N seconds pass, as Replicate's
// `Prefer: wait` and RunPod's /runsync do, and then answers the job's status document
// instead of its bare id. A held request costs a JobWaiters entry, no thread.
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "genq/core/error.hpp"
#include "genq/core/job.hpp"
#include "genq/http/request.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

inline constexpr std::chrono::seconds kLongestPreferWait{60};

// The wait the request asks for: nullopt without a `wait` preference; 60 s for a bare
// `wait`; Invalid for a value that is not a whole number of seconds from 1 to 60.
Result<std::optional<std::chrono::seconds>> read_prefer_wait(const http::Request& request);

// Calls `answer` with the job once it is final, or as it is when `wait` has passed
// (`final` false then), once, on whichever thread saw it end or the timer that ran out.
void hold_until_final(Services& services, const std::string& job_id, std::chrono::seconds wait,
                      std::function<void(Result<Job> job, bool final)> answer);

// The headers of a held answer: Preference-Applied, and Location (`status_url`) while
// the job is not final.
void add_prefer_wait_headers(http::Response& response, std::chrono::seconds wait, bool final,
                             const std::string& status_url);

}  // namespace genq::api
