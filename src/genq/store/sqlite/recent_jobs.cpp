#include "genq/store/sqlite/recent_jobs.hpp"

namespace genq::sqlite {

std::optional<Job> RecentJobs::find(const std::string& job_id) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(job_id);
  if (it == entries_.end()) {
    return std::nullopt;
  }
  return it->second.job;
}

std::size_t RecentJobs::bytes_of(const Job& job) {
  // The strings' contents plus the node; close enough to what the allocator holds.
  return sizeof(Entry) + 2 * job.id.size() + job.client_id.size() + job.task.size() + job.model.size() +
         job.params_json.size() + job.inputs_json.size() + job.preview_jpeg.size() + job.result_blob.size() +
         job.result_mime.size() + (job.result_text ? job.result_text->size() : 0) + job.error.size() +
         job.upload_blob.size() + job.upload_mime.size() +
         job.worker_id.size() + job.lease_id.size() + job.webhook_url.size() + job.webhook_secret.size() + job.failure_detail.size() +
         job.submit_request_id.size() + 64;
}

void RecentJobs::put(const Job& job) {
  const std::size_t size = bytes_of(job);
  std::lock_guard lock(mutex_);
  if (size > max_bytes_) {
    return;
  }
  auto it = entries_.find(job.id);
  if (it != entries_.end()) {
    Entry& entry = it->second;
    bytes_ = bytes_ - entry.bytes + size;
    entry.job = job;
    entry.bytes = size;
    oldest_first_.splice(oldest_first_.end(), oldest_first_, entry.age);
  } else {
    auto added = entries_.emplace(job.id, Entry{job, size, {}}).first;
    oldest_first_.push_back(&added->first);
    added->second.age = std::prev(oldest_first_.end());
    bytes_ += size;
  }
  evict_while_over_budget();
}

void RecentJobs::forget(const std::string& job_id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(job_id);
  if (it == entries_.end()) {
    return;
  }
  bytes_ -= it->second.bytes;
  oldest_first_.erase(it->second.age);
  entries_.erase(it);
}

void RecentJobs::extend_lease(const std::string& job_id, TimePoint expires) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(job_id); it != entries_.end()) {
    it->second.job.lease_expires_at = expires;
  }
}

void RecentJobs::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  oldest_first_.clear();
  bytes_ = 0;
}

void RecentJobs::evict_while_over_budget() {
  while (bytes_ > max_bytes_ && !oldest_first_.empty()) {
    auto it = entries_.find(*oldest_first_.front());
    bytes_ -= it->second.bytes;
    entries_.erase(it);
    oldest_first_.pop_front();
  }
}

std::size_t RecentJobs::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t RecentJobs::bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace genq::sqlite
