#pragma once
// Client-API routes whose deAPI paths are not /api/v1/client/{task}: the prompt
// helpers (prompt/{image,video,speech,image2image}, prompts/samples, and their
// price twins) and videos/replace. They create the same jobs as any submit
// (submission.hpp); the prompt helpers then answer with the job's text, as deAPI's
// SDK expects, instead of a request_id.
#include "genq/http/router.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

void add_sdk_routes(http::Router& router, Services& services);

}  // namespace genq::api
