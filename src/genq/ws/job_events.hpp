#pragma once
// Turns job changes from the EventBus into Pusher events (SPEC §5): every status
// change and progress update after submit becomes `request.status.updated` on
// `private-client.{client_id}` with data
//   {"request_id","status","preview","result_url","progress"}  (+ "error" for errors)
// rendered by the same functions as GET request-status (api/status_view.hpp). Progress
// frames carry a coalesce key, so a lagging connection keeps only a job's latest one.
// Thread-safe: wants and on_job run on the bus's delivering thread and only read.
#include <string>

#include "genq/bus/event_bus.hpp"
#include "genq/service/services.hpp"
#include "genq/ws/outbound_queue.hpp"

namespace genq::ws {

class PusherServer;

inline constexpr const char* kStatusEvent = "request.status.updated";

// The frame for one job change, or null when the change is not announced (pending:
// the seed's status table says queued jobs have no WebSocket event).
FramePtr job_status_frame(const Job& job, Services& services);

class JobEventPublisher {
 public:
  JobEventPublisher(PusherServer& server, Services& services) : server_(server), services_(services) {}
  // The EventBus subscription. Only changes someone on this server listens to are
  // wanted: a preview is up to 256 KiB of JPEG, not worth base64-encoding (nor, for a
  // change on another node, reading from the store) for no one.
  bool wants(const JobSummary& change) const;
  // Renders and broadcasts; called by the bus only for changes wants() accepted.
  void on_job(const Job& job);

 private:
  PusherServer& server_;
  Services& services_;
};

}  // namespace genq::ws
