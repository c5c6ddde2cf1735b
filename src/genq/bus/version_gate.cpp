#include "genq/bus/version_gate.hpp"

namespace genq {

bool VersionGate::newer(const Last& last, std::int64_t version) {
  if (last.final) return false;
  if (version == 0 || last.version == 0) return true;
  return version > last.version;
}

bool VersionGate::admit(std::string_view job_id, std::int64_t version, bool final) {
  std::lock_guard lock(mutex_);
  if (auto it = last_.find(job_id); it != last_.end()) {
    if (!newer(it->second, version)) return false;
    it->second.version = version;
    it->second.final = final;
    recency_.splice(recency_.end(), recency_, it->second.recency);
    return true;
  }
  if (capacity_ == 0) return true;
  if (last_.size() >= capacity_) {
    last_.erase(last_.find(std::string_view(recency_.front())));
    recency_.pop_front();
  }
  recency_.emplace_back(job_id);
  last_.emplace(recency_.back(), Last{version, final, std::prev(recency_.end())});
  return true;
}

bool VersionGate::would_admit(std::string_view job_id, std::int64_t version) const {
  std::lock_guard lock(mutex_);
  auto it = last_.find(job_id);
  return it == last_.end() || newer(it->second, version);
}

bool VersionGate::admitted_newer(std::string_view job_id, std::int64_t version) const {
  std::lock_guard lock(mutex_);
  auto it = last_.find(job_id);
  return it != last_.end() && version != 0 && it->second.version > version;
}

std::size_t VersionGate::size() const {
  std::lock_guard lock(mutex_);
  return last_.size();
}

}  // namespace genq
