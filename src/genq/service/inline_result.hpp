#pragma once
// Results a worker reports as text (text and embedding tasks) are stored in the job's
// row, in the commit that completes it, not as a file. Their result_url still names a
// download key, results/{job_id}/result.json|txt, with no file behind it: the download
// route answers such a key from the job.
#include <optional>
#include <string>
#include <string_view>

namespace genq {

std::string inline_result_key(std::string_view job_id, bool is_json);

// The job id if `key` has the shape of an inline result's key.
std::optional<std::string> job_of_inline_result_key(std::string_view key);

}  // namespace genq
