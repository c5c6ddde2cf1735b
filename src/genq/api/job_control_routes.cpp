#include "genq/api/job_control_routes.hpp"

#include <boost/json.hpp>

#include "genq/api/guards.hpp"
#include "genq/api/request_body.hpp"
#include "genq/api/status_view.hpp"
#include "genq/api/task_view.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

// POST /api/v1/client/request-retry/{request_id}
// 200 with the job pending again; 404 unknown or another client's; 409 when it did not
// end in error, was cancelled, or finished too long ago (its files are gone).
void handle_retry(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  services.jobs.retry(job_id_from_task_id(request.param("request_id")), client.id,
                      [&services, reply](Result<Job> job) {
                        if (!job) {
                          if (job.error().kind == ErrorKind::NotFound) {
                            return reply(http::error_response(404, "Request not found."));
                          }
                          return reply(http::response_for(job.error()));
                        }
                        reply(status_answer(*job, services));
                      });
}

// Reads an optional string filter of the purge body into `out`; problems otherwise.
void read_filter(const boost::json::object& body, std::string_view name, bool known(Services&, const std::string&),
                 Services& services, std::string& out, http::FieldProblems& problems) {
  const boost::json::value* value = body.if_contains(name);
  if (value == nullptr || value->is_null()) return;
  const std::string field(name);
  if (!value->is_string()) return problems.push_back({field, {"The " + field + " field must be a string."}});
  out = std::string(value->as_string());
  if (!known(services, out)) problems.push_back({field, {"The selected " + field + " is invalid."}});
}

// POST /api/v1/client/queue/purge  {"task"?: "...", "model"?: "..."} (an empty body: all)
// 200 {"data":{"cancelled":N,"request_ids":[...]}}; each purged job ends in error
// "cancelled" with its job.failed webhook, as a cancel does.
void handle_purge(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  boost::json::object body;
  if (!request.body.empty()) {
    auto parsed = parse_json_object(request.body);
    if (!parsed) return reply(http::error_response(400, parsed.error().message));
    body = std::move(*parsed);
  }
  PurgeRequest purge{client.id, "", ""};
  http::FieldProblems problems;
  read_filter(body, "task", [](Services& s, const std::string& t) { return s.catalog.find_task(t) != nullptr; },
              services, purge.task, problems);
  read_filter(body, "model", [](Services& s, const std::string& m) { return s.catalog.find_model(m) != nullptr; },
              services, purge.model, problems);
  for (const auto& [key, value] : body) {
    if (key != "task" && key != "model") {
      problems.push_back({std::string(key), {"The " + std::string(key) + " field is not supported."}});
    }
  }
  if (!problems.empty()) return reply(http::validation_error(problems));
  services.jobs.purge_pending(std::move(purge), [reply](Result<std::vector<Job>> jobs) {
    if (!jobs) return reply(http::response_for(jobs.error()));
    boost::json::array ids;
    for (const Job& job : *jobs) ids.emplace_back(job.id);
    reply(http::json_response(
        200, boost::json::object{{"data", boost::json::object{{"cancelled", static_cast<std::int64_t>(ids.size())},
                                                              {"request_ids", std::move(ids)}}}}));
  });
}

}  // namespace

void add_job_control_routes(http::Router& router, Services& services) {
  using http::Exec;
  using http::Verb;
  const auto json = services.options.max_json_bytes;
  router.add(for_clients(services, {Verb::post, "/api/v1/client/request-retry/{request_id}",
                                    client_route(services, handle_retry), Exec::Inline, json, false, "request-retry"}));
  router.add(for_clients(services, {Verb::post, "/api/v1/client/queue/purge", client_route(services, handle_purge),
                                    Exec::Inline, json, false, "queue-purge"}));
}

}  // namespace genq::api
