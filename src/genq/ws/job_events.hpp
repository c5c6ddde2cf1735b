#pragma once
// Turns job changes from the EventBus into Pusher events (SPEC §5): every status
// change and progress update after submit becomes `request.status.updated` on
// `private-client.{client_id}` with data
//   {"request_id","status","preview","result_url","progress"}  (+ "error" for errors)
// rendered by the same functions as GET request-status (api/status_view.hpp). Progress
// frames carry a coalesce key, so a lagging connection keeps only a job's latest one.
// Thread-safe: on_job_event runs on the publishing thread and only reads.
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
  // The EventBus handler. Renders nothing when nobody listens on the client's channel:
  // a preview is up to 256 KiB of JPEG, not worth base64-encoding for no one.
  void on_job_event(const JobEvent& event);

 private:
  PusherServer& server_;
  Services& services_;
};

}  // namespace genq::ws
