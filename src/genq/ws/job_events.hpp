#pragma once
// Turns job changes from the EventBus into Pusher events (SPEC §5): every status
// change and progress update after submit becomes `request.status.updated` on
// `private-client.{client_id}` with data
//   {"request_id","status","preview","result_url","progress"}  (+ "error" for errors)
// rendered by the same functions as GET request-status (api/status_view.hpp). Progress
// frames carry a coalesce key, so a lagging connection keeps only a job's latest one.
// Thread-safe: wants and on_job run on the bus's delivering thread and only read.
//
// A client that (re)subscribes to its channel is sent, before anything newer, the
// current state of its leased jobs and of those that ended in the last
// kReplayWindow: the Pusher protocol has no replay, so without it a reconnect during
// a job's end would miss its `done`. Unchanged Pusher clients take these as ordinary
// events (docs/api.md, "Reconnects").
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "genq/bus/event_bus.hpp"
#include "genq/service/services.hpp"
#include "genq/ws/channel_registry.hpp"
#include "genq/ws/outbound_queue.hpp"

namespace genq::ws {

class PusherServer;

inline constexpr const char* kStatusEvent = "request.status.updated";

// The frame for one job change, or null when the change is not announced (pending:
// the seed's status table says queued jobs have no WebSocket event).
FramePtr job_status_frame(const Job& job, Services& services);

class JobEventPublisher {
 public:
  static constexpr std::chrono::minutes kReplayWindow{5};
  static constexpr int kReplayLimit = 200;  // jobs, newest first
  // Runs blocking work (the store read of a replay) off the I/O threads.
  using RunBlocking = std::function<void(std::function<void()> work)>;

  JobEventPublisher(PusherServer& server, Services& services, EventBus& bus, RunBlocking run_blocking)
      : server_(server), services_(services), bus_(bus), run_blocking_(std::move(run_blocking)) {}
  // The EventBus subscription. Only changes someone on this server listens to are
  // wanted: a preview is up to 256 KiB of JPEG, not worth base64-encoding (nor, for a
  // change on another node, reading from the store) for no one.
  bool wants(const JobSummary& change) const;
  // Renders and broadcasts; called by the bus only for changes wants() accepted.
  void on_job(const Job& job);
  // PusherServer's subscribed hook: sends a client channel's new subscriber the
  // current state of the jobs it may have missed. Returns at once.
  void replay(const std::string& channel, std::shared_ptr<Subscriber> subscriber);

 private:
  PusherServer& server_;
  Services& services_;
  EventBus& bus_;
  RunBlocking run_blocking_;
};

}  // namespace genq::ws
