#include "genq/ws/job_events.hpp"

#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include "genq/api/status_view.hpp"
#include "genq/ws/channel_name.hpp"
#include "genq/ws/frames.hpp"
#include "genq/ws/pusher_server.hpp"

namespace genq::ws {

FramePtr job_status_frame(const Job& job, Services& services) {
  if (job.status == JobStatus::Pending) return nullptr;
  boost::json::object data;
  data["request_id"] = job.id;
  data["status"] = to_string(job.status);
  data["preview"] = api::preview_data_url(job);
  data["result_url"] = api::result_url(job, services);
  // The seed types progress as a string, always present: "0.00" before the first
  // report, "100.00" when done.
  if (job.status == JobStatus::Done) {
    data["progress"] = "100.00";
  } else {
    auto progress = api::progress_string(job.progress);
    data["progress"] = progress.is_null() ? boost::json::value("0.00") : progress;
  }
  if (job.status == JobStatus::Error) data["error"] = job.error;
  std::string channel = client_channel(job.client_id);
  // Only in_progress updates of one job replace each other; status changes and the
  // final event always arrive.
  std::string key = job.status == JobStatus::InProgress ? channel + "\n" + job.id : std::string();
  return make_frame(event_frame(channel, kStatusEvent, boost::json::serialize(data)), std::move(key));
}

bool JobEventPublisher::wants(const JobSummary& change) const {
  if (change.status == JobStatus::Pending || change.client_id.empty()) return false;
  return server_.registry().occupied(client_channel(change.client_id));
}

void JobEventPublisher::on_job(const Job& job) {
  // wants() has just found a listener: not asked again (one channel name, one
  // registry lookup per change, as before the bus asked first).
  if (job.status == JobStatus::Pending || job.client_id.empty()) return;
  std::string channel = client_channel(job.client_id);
  if (auto frame = job_status_frame(job, services_)) server_.broadcast(channel, frame);
}

void JobEventPublisher::replay(const std::string& channel, std::shared_ptr<Subscriber> subscriber) {
  constexpr std::string_view kPrefix = "private-client.";
  if (!channel.starts_with(kPrefix)) return;
  run_blocking_([this, client_id = channel.substr(kPrefix.size()), subscriber = std::move(subscriber)] {
    const TimePoint since = services_.jobs.clock().now() - kReplayWindow;
    auto jobs = services_.jobs.store().jobs_to_replay(client_id, since, kReplayLimit);
    if (!jobs) {
      spdlog::warn("cannot replay the jobs of client {} to a new subscriber: {}", client_id, jobs.error().message);
      return;
    }
    // Oldest first, as they happened; each unless a newer change of it already went
    // out on the bus (which this subscriber, subscribed before the read, then got).
    for (auto job = jobs->rbegin(); job != jobs->rend(); ++job) {
      bus_.deliver_current(*job, [&](const Job& current) {
        if (auto frame = job_status_frame(current, services_)) subscriber->deliver(frame);
      });
    }
  });
}

}  // namespace genq::ws
