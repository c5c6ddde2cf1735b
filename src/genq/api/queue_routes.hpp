#pragma once
// GET /api/v1/client/queue (docs/api.md, "Queue and ETA"): per catalog model, the jobs
// waiting and running on every node, the workers serving it, its recent rate and how
// long a job submitted now would wait for a worker.
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

// Client route; add_client_routes adds it before its "/{task}" patterns.
void add_client_queue_routes(http::Router& router, Services& services);

}  // namespace genq::api
