#include "genq/api/status_streams.hpp"

#include <boost/json/serialize.hpp>

#include <vector>

#include "genq/api/status_view.hpp"

namespace genq::api {
namespace {

// The document with or without its preview, each rendered once per change.
class RenderedJob {
 public:
  RenderedJob(const Job& job, Services& services) : job_(job), services_(services) {}
  const std::string& json(bool previews) {
    std::optional<std::string>& text = previews ? with_preview_ : without_preview_;
    if (!text) {
      boost::json::object data = render_status(job_, services_);
      if (!previews) data["preview"] = nullptr;
      text = boost::json::serialize(data);
    }
    return *text;
  }

 private:
  const Job& job_;
  Services& services_;
  std::optional<std::string> with_preview_;
  std::optional<std::string> without_preview_;
};

}  // namespace

std::string StatusStreams::event_text(const std::string& id, const std::string& json) {
  // The document is one line of JSON: it needs a single data field.
  return "id: " + id + "\nevent: status\ndata: " + json + "\n\n";
}

std::uint64_t StatusStreams::add(Listener listener, std::shared_ptr<http::EventStream> stream) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    Entry entry{std::move(listener), stream, {}, false};
    if (entry.listener.job_id.empty()) {
      by_client_.emplace(entry.listener.client_id, id);
    } else {
      by_job_.emplace(entry.listener.job_id, id);
      if (entry.listener.resume_after > 0) entry.sent[entry.listener.job_id] = entry.listener.resume_after;
    }
    entries_.emplace(id, std::move(entry));
  }
  stream->on_closed([this, id] { remove(id); });
  return id;
}

void StatusStreams::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto& index = it->second.listener.job_id.empty() ? by_client_ : by_job_;
  const std::string& key = it->second.listener.job_id.empty() ? it->second.listener.client_id : it->second.listener.job_id;
  for (auto [first, last] = index.equal_range(key); first != last; ++first) {
    if (first->second == id) {
      index.erase(first);
      break;
    }
  }
  entries_.erase(it);
}

void StatusStreams::deliver_locked(Entry& entry, const Job& job) {
  if (entry.done) return;
  auto sent = entry.sent.find(job.id);
  if (sent != entry.sent.end() && job.version <= sent->second) return;  // seen, or older
  const bool final = is_final(job.status);
  RenderedJob rendered(job, services_);
  const std::string id = entry.listener.job_id.empty()
                             ? std::to_string(to_unix_ms(services_.jobs.clock().now()))
                             : std::to_string(job.version);
  entry.stream->write(event_text(id, rendered.json(entry.listener.previews)));
  if (!entry.listener.job_id.empty() && final) {
    entry.done = true;
    entry.stream->close();
  } else if (final) {
    // Nothing follows a final change (the bus drops it): no version to keep.
    if (sent != entry.sent.end()) entry.sent.erase(sent);
  } else {
    entry.sent[job.id] = job.version;
  }
}

void StatusStreams::send(std::uint64_t id, const Job& job) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(id); it != entries_.end()) deliver_locked(it->second, job);
}

bool StatusStreams::wants(const JobSummary& change) const {
  std::lock_guard lock(mutex_);
  return by_job_.contains(std::string(change.id)) || by_client_.contains(std::string(change.client_id));
}

void StatusStreams::on_job(const Job& job) {
  std::lock_guard lock(mutex_);
  for (const auto& index : {&by_job_, &by_client_}) {
    const std::string& key = index == &by_job_ ? job.id : job.client_id;
    for (auto [first, last] = index->equal_range(key); first != last; ++first) {
      if (auto it = entries_.find(first->second); it != entries_.end()) deliver_locked(it->second, job);
    }
  }
}

void StatusStreams::close_all() {
  std::vector<std::shared_ptr<http::EventStream>> streams;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, entry] : entries_) streams.push_back(entry.stream);
  }
  for (auto& stream : streams) stream->close();
}

std::size_t StatusStreams::count() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace genq::api
