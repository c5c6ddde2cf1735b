#pragma once
// GET /readyz: whether this node should get traffic, dependency by dependency.
//   {"status":"ready"|"unavailable",
//    "checks":{"store":{"status":"ok"|"failing","required":true,"detail":"…"},
//              "bus":{…},"blobs":{…},"webhooks":{…}},
//    "bus":"<the bus's detail>",          (kept from the first version of this route)
//    "message":"event bus: …"}            (only when unavailable: the failing checks)
// 503 when a required check fails. The webhook engine is reported but not required:
// deliveries wait in the outbox, and the node still serves the API.
#include <boost/json/object.hpp>

#include "genq/service/services.hpp"

namespace genq::api {

struct Readiness {
  unsigned status = 200;
  boost::json::object body;
};

// Runs every check now: a store read, the bus's state, a blob store lookup (a HEAD
// request with S3), the webhook engine's state. Blocks: call it off the I/O threads.
Readiness check_readiness(Services& services);

}  // namespace genq::api
