#pragma once
// The live Server-Sent Events listeners (docs/api.md, "Status streams"): one job's
// stream (GET /api/v1/client/request-status/{id}/stream) or all of a client's jobs
// (GET /api/v1/client/events/stream). Every change of a listened-to job becomes an
// event whose data is the request-status document; each listener gets a job's
// versions in rising order only, so a state read at connect and the live changes
// never arrive out of order. A job's stream closes after its final event.
//
// Thread-safe: wants and on_job run on the bus's delivering threads; listeners are
// added from any thread and leave when their connection ends.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "genq/bus/event_bus.hpp"
#include "genq/http/event_stream.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

class StatusStreams {
 public:
  explicit StatusStreams(Services& services) : services_(services) {}

  struct Listener {
    std::string client_id;
    std::string job_id;     // empty: every job of the client
    bool previews = false;  // include the preview data URL (large) in progress events
    // A job stream resumed with Last-Event-ID: the version the client already has.
    std::int64_t resume_after = 0;
  };
  // Registers the stream; it leaves when its connection ends. Returns its handle for
  // send().
  std::uint64_t add(Listener listener, std::shared_ptr<http::EventStream> stream);
  // Sends `job` to one listener if it is newer than what that listener got (states read
  // from the store at connect or on resume).
  void send(std::uint64_t id, const Job& job);
  // The EventBus subscription: changes of jobs or clients someone listens to.
  bool wants(const JobSummary& change) const;
  void on_job(const Job& job);
  // Shutdown: every stream closes (EventSource clients reconnect to another node or
  // to the restarted server, resuming from their last event id).
  void close_all();
  std::size_t count() const;

  // The SSE text of one event: `id`, `event: status`, the document as data.
  static std::string event_text(const std::string& id, const std::string& json);

 private:
  struct Entry {
    Listener listener;
    std::shared_ptr<http::EventStream> stream;
    std::map<std::string, std::int64_t> sent;  // job id -> version sent; final jobs dropped
    bool done = false;                         // a job stream that sent its final event
  };
  // Requires: mutex_ held.
  void deliver_locked(Entry& entry, const Job& job);
  void remove(std::uint64_t id);

  Services& services_;
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;                            // GUARDED_BY(mutex_)
  std::map<std::uint64_t, Entry> entries_;               // GUARDED_BY(mutex_)
  std::multimap<std::string, std::uint64_t> by_job_;     // GUARDED_BY(mutex_)
  std::multimap<std::string, std::uint64_t> by_client_;  // GUARDED_BY(mutex_); client-wide listeners
};

}  // namespace genq::api
