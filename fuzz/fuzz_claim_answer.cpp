// The worker side of the worker protocol: a claim answer as any server (or anything
// in between) may send it. genq worker parses it without crashing, and every job it
// accepts names the job and lease every later call must carry.
#include <boost/json/parse.hpp>

#include "fuzz_input.hpp"
#include "genq/runner/claimed_job.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  genq::fuzz::FuzzInput input(data, size);
  boost::system::error_code ec;
  const boost::json::value answer = boost::json::parse(input.rest(), ec);
  if (ec) return 0;
  const auto jobs = genq::runner::parse_claim_response(answer);
  if (!jobs) return 0;
  for (const auto& job : *jobs) {
    if (job.lease.job_id.empty() || job.lease.lease_id.empty()) __builtin_trap();
    if (job.lease_duration.count() <= 0 || job.heartbeat_interval.count() < 0) __builtin_trap();
    // Times a worker adds to its clock: bounded (a day), so the sum cannot overflow.
    if (job.lease_duration > std::chrono::hours(24) || job.heartbeat_interval > std::chrono::hours(24)) __builtin_trap();
  }
  return 0;
}
