#include "genq/api/status_stream_routes.hpp"

#include <charconv>
#include <optional>

#include "genq/api/guards.hpp"
#include "genq/api/task_view.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

// How far back a client stream looks on connect without a Last-Event-ID, as the
// WebSocket channel does for a new subscriber (ws/job_events.hpp).
constexpr std::chrono::minutes kFirstLook{5};
constexpr int kReplayLimit = 200;

bool wants_previews(const http::Request& request) {
  const auto preview = request.query_param("preview");
  return preview && (*preview == "1" || *preview == "true");
}

// Last-Event-ID as a number; nullopt when absent or not one of ours.
std::optional<std::int64_t> last_event_id(const http::Request& request) {
  const std::string text = request.header("Last-Event-ID");
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

http::Response event_stream_response(std::function<void(std::shared_ptr<http::EventStream>)> take) {
  http::Response response;
  response.content_type = "text/event-stream";
  response.stream = std::move(take);
  return response;
}

// GET /api/v1/client/request-status/{request_id}/stream
void job_stream(Services& services, StatusStreams& streams, EventBus& bus, http::Request& request, http::Reply reply,
                const Client& client) {
  const std::string job_id = job_id_from_task_id(request.param("request_id"));
  const bool previews = wants_previews(request);
  const std::optional<std::int64_t> last = last_event_id(request);
  services.jobs.get_for_client(job_id, client.id, [&services, &streams, &bus, reply, previews, last,
                                                   client_id = client.id](Result<Job> job) {
    if (!job) {
      return reply(http::response_for(job.error().kind == ErrorKind::NotFound ? Error::not_found("Request not found.")
                                                                              : job.error()));
    }
    // The client has the final state already: 204 tells an EventSource not to reconnect.
    if (is_final(job->status) && last && *last >= job->version) {
      http::Response none;
      none.status = 204;
      none.content_type = "text/plain";
      return reply(std::move(none));
    }
    reply(event_stream_response([&services, &streams, &bus, job_id = job->id, client_id, previews,
                                 last](std::shared_ptr<http::EventStream> stream) {
      const std::uint64_t handle =
          streams.add({client_id, job_id, previews, last.value_or(0)}, std::move(stream));
      // Read again now that changes reach the listener: one made since the first read
      // is either in this read or delivered live, and versions keep them in order.
      services.jobs.get(job_id, [&streams, &bus, handle](Result<Job> current) {
        if (current) bus.deliver_current(*current, [&streams, handle](const Job& j) { streams.send(handle, j); });
      });
    }));
  });
}

// GET /api/v1/client/events/stream
void client_stream(Services& services, StatusStreams& streams, EventBus& bus, http::Request& request,
                   http::Reply reply, const Client& client) {
  const bool previews = wants_previews(request);
  const std::optional<std::int64_t> last = last_event_id(request);
  reply(event_stream_response([&services, &streams, &bus, run_blocking = request.run_blocking, previews, last,
                               client_id = client.id](std::shared_ptr<http::EventStream> stream) {
    const std::uint64_t handle = streams.add({client_id, "", previews, 0}, std::move(stream));
    // What happened since the last event the client has (a second of slack for clocks
    // of other nodes), or the last minutes on a first connect: the jobs workers hold
    // now and those that ended since. Pending ones are not replayed.
    const TimePoint now = services.jobs.clock().now();
    const TimePoint since = last ? from_unix_ms(*last) - std::chrono::seconds(1) : now - kFirstLook;
    run_blocking([&services, &streams, &bus, handle, client_id, since] {
      auto jobs = services.jobs.store().jobs_to_replay(client_id, since, kReplayLimit);
      if (!jobs) return;
      for (auto job = jobs->rbegin(); job != jobs->rend(); ++job) {
        bus.deliver_current(*job, [&streams, handle](const Job& j) { streams.send(handle, j); });
      }
    });
  }));
}

}  // namespace

void add_status_stream_routes(http::Router& router, Services& services, StatusStreams& streams, EventBus& bus) {
  using http::Exec;
  using http::Verb;
  router.add(for_clients(
      services,
      {Verb::get, "/api/v1/client/request-status/{request_id}/stream",
       client_only(services, [&services, &streams, &bus](http::Request& r, http::Reply reply, const Client& c) {
         job_stream(services, streams, bus, r, std::move(reply), c);
       }),
       Exec::Inline, 0, false, "request-status-stream"}));
  router.add(for_clients(
      services,
      {Verb::get, "/api/v1/client/events/stream",
       client_only(services, [&services, &streams, &bus](http::Request& r, http::Reply reply, const Client& c) {
         client_stream(services, streams, bus, r, std::move(reply), c);
       }),
       Exec::Inline, 0, false, "events-stream"}));
}

}  // namespace genq::api
