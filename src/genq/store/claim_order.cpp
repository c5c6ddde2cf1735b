#include "genq/store/claim_order.hpp"

#include <algorithm>
#include <tuple>

namespace genq::claim_order {

Error queue_full(std::int64_t max_queued) {
  return Error::exhausted("Too many queued jobs: this client may have at most " + std::to_string(max_queued) +
                          " jobs waiting. Retry once some have started.");
}

Result<std::vector<std::int64_t>> ClaimPicker::choose(
    std::vector<Candidate> candidates, const std::function<Result<RunningCap>(const std::string&)>& read_cap) {
  ++passes_;
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tuple(-a.priority, a.fair_round, a.seq) < std::tuple(-b.priority, b.fair_round, b.seq);
  });
  std::vector<std::int64_t> seqs;
  bool held_back = false;
  for (const Candidate& candidate : candidates) {
    if (chosen_ >= max_jobs_) {
      break;
    }
    auto cap = caps_.find(candidate.client_id);
    if (cap == caps_.end()) {
      Result<RunningCap> read = read_cap(candidate.client_id);
      if (!read) {
        return fail(std::move(read.error()));
      }
      cap = caps_.emplace(candidate.client_id, *read).first;
    }
    if (cap->second.max_running > 0 && cap->second.running >= cap->second.max_running) {
      if (std::find(capped_.begin(), capped_.end(), candidate.client_id) == capped_.end()) {
        capped_.push_back(candidate.client_id);
      }
      held_back = true;
      continue;
    }
    ++cap->second.running;
    ++chosen_;
    seqs.push_back(candidate.seq);
  }
  done_ = !held_back;
  return seqs;
}

}  // namespace genq::claim_order
