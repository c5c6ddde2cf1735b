#pragma once
// Server-Sent Events routes (docs/api.md, "Status streams"):
//   GET /api/v1/client/request-status/{request_id}/stream  one job, until it is final
//   GET /api/v1/client/events/stream                       every job of the client
// Each event's data is the request-status document; `?preview=1` keeps previews in.
// Resumed from Last-Event-ID: a job stream's ids are the job's versions, a client
// stream's the server time (unix ms) of the event.
#include "genq/api/status_streams.hpp"
#include "genq/bus/event_bus.hpp"
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

// Client routes; add them before the "/{task}" patterns.
void add_status_stream_routes(http::Router& router, Services& services, StatusStreams& streams, EventBus& bus);

}  // namespace genq::api
