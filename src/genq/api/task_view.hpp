#pragma once
// The second dialect's view of a job (SPEC §6, seeds/003): every job has a taskId
// ("task_" + request_id), a state (pending, processing, success, failed) and, once
// final, resultJson — a JSON *string* holding {"resultUrls":[...]} — costTime in
// milliseconds or failMsg. One job, two views: jobs of either dialect read here and
// at /api/v1/client/request-status alike.
//
// Every answer is enveloped: {"code":<HTTP status>,"message":"success"|"<problem>",
// "data":{...}|null}.
#include <boost/json/object.hpp>

#include <string>
#include <string_view>

#include "genq/core/job.hpp"
#include "genq/http/request.hpp"
#include "genq/store/delivery_store.hpp"
#include "genq/service/services.hpp"

namespace genq::api {

// "task_<request_id>".
std::string task_id_for(std::string_view job_id);
// The request_id behind a taskId; a bare request_id is taken as it is.
std::string job_id_from_task_id(std::string_view task_id);
// pending -> pending; processing, in_progress -> processing; done -> success; error -> failed.
std::string_view task_state(JobStatus status);

// {"code":200,"message":"success","data":{"taskId","state","progress",...}}: the
// statusTask body, and the body of a callback once the job is final.
boost::json::object render_task_status(const Job& job, Services& services);

// The body of a second-dialect callback: render_task_status of the job as stored
// (final states never change). Should the job be unreadable, the same document is
// built from what the delivery row carries, without an inline text result.
std::string render_callback_body(const DueDelivery& delivery, Services& services);

// {"code":status,"message":message,"data":null}.
http::Response task_error(unsigned status, std::string message);
// A first-dialect reply re-dressed in the envelope: the same status, and its
// "message" (2xx bodies are not touched).
http::Response to_task_envelope(http::Response response);

}  // namespace genq::api
