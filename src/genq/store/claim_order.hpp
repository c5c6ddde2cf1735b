#pragma once
// The order claims lease pending jobs in, shared by every store (docs/api.md,
// "Priorities and fair share"): higher priority first; within a priority, by fair-share
// round, then submit order; a client already running its max_running jobs is skipped.
// The store reads candidates in that order from its claim index, a pass at a time;
// ClaimPicker decides which it leases and whether another pass (without the clients it
// found at their cap) is worth reading. Not thread-safe: one claim, one picker.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "genq/core/error.hpp"

namespace genq::claim_order {

// A pending job as the claim index lists it.
struct Candidate {
  std::int64_t seq = 0;
  std::string client_id;
  std::int64_t priority = 1;
  std::int64_t fair_round = 0;
};

// A client's max_running grant (0 = none) and how many of its jobs run now.
struct RunningCap {
  std::int64_t max_running = 0;
  std::int64_t running = 0;
};

// The answer to a submit over the client's max_queued: Exhausted (429).
Error queue_full(std::int64_t max_queued);

class ClaimPicker {
 public:
  explicit ClaimPicker(int max_jobs) : max_jobs_(max_jobs) {}

  // Whether to read another pass: jobs are still wanted, and the last pass held some
  // back for a cap (its ranges may hide other clients' jobs). A few passes at most.
  bool wants_more() const { return !done_ && chosen_ < max_jobs_ && passes_ < kMaxPasses; }
  // How many jobs the next pass should read per model.
  int still_wanted() const { return max_jobs_ - chosen_; }
  // Clients found at their cap, for the next pass to leave out.
  const std::vector<std::string>& capped_clients() const { return capped_; }

  // Takes one pass's candidates (any order) and returns the seqs to lease, in claim
  // order. `read_cap` is asked once per client per claim.
  Result<std::vector<std::int64_t>> choose(std::vector<Candidate> candidates,
                                           const std::function<Result<RunningCap>(const std::string&)>& read_cap);

 private:
  // Each pass leaves out at least one more client; past a few, a claim would read more
  // than it saves. The jobs it did not reach wait for the next claim.
  static constexpr int kMaxPasses = 4;

  int max_jobs_;
  int chosen_ = 0;
  int passes_ = 0;
  bool done_ = false;
  std::map<std::string, RunningCap> caps_;
  std::vector<std::string> capped_;
};

}  // namespace genq::claim_order
