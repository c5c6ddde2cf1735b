#include "genq/service/queue_positions.hpp"

namespace genq {

Status QueuePositions::rebuild(const PendingReader& read_pending) {
  {
    std::lock_guard lock(mutex_);
    rebuilding_ = true;
    journal_.clear();
  }
  auto pending = read_pending();
  std::map<std::string, SeqTree, std::less<>> queues;
  if (pending) {
    for (const PendingEntry& entry : *pending) queues[entry.model].insert(entry.seq);
  }
  std::lock_guard lock(mutex_);
  rebuilding_ = false;
  if (!pending) {
    journal_.clear();
    return fail(pending.error());
  }
  // Replayed in publish order: the snapshot may already hold some of these, and
  // inserting or erasing again changes nothing.
  for (const PendingEntry& entry : journal_) {
    if (entry.seq >= 0) {
      queues[entry.model].insert(entry.seq);
    } else if (auto queue = queues.find(entry.model); queue != queues.end()) {
      queue->second.erase(-entry.seq);
    }
  }
  journal_.clear();
  queues_.swap(queues);
  loaded_ = true;
  return {};
}

void QueuePositions::on_change(std::string_view model, std::int64_t seq, JobStatus status) {
  std::lock_guard lock(mutex_);
  if (rebuilding_) {
    journal_.push_back(PendingEntry{std::string(model), status == JobStatus::Pending ? seq : -seq});
  }
  if (status == JobStatus::Pending) {
    auto queue = queues_.find(model);
    if (queue == queues_.end()) queue = queues_.emplace(std::string(model), SeqTree()).first;
    queue->second.insert(seq);
    return;
  }
  if (auto queue = queues_.find(model); queue != queues_.end()) queue->second.erase(seq);
}

std::optional<std::int64_t> QueuePositions::ahead_of(const std::string& model, std::int64_t seq) const {
  std::lock_guard lock(mutex_);
  if (!loaded_) return std::nullopt;
  auto queue = queues_.find(model);
  if (queue == queues_.end()) return 0;
  return static_cast<std::int64_t>(queue->second.order_of_key(seq));
}

}  // namespace genq
