#pragma once
// The worker protocol (docs/worker-protocol.md): long-poll claim, progress with
// previews, heartbeat, streamed result upload, complete, fail.
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::worker {

void add_worker_routes(http::Router& router, Services& services);

}  // namespace genq::worker
