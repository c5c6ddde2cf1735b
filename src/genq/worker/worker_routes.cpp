#include "genq/worker/worker_routes.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <mutex>

#include "genq/api/guards.hpp"
#include "genq/api/request_body.hpp"
#include "genq/core/utf8.hpp"
#include "genq/crypto/crypto.hpp"
#include "genq/http/responses.hpp"
#include "genq/logging/log_context.hpp"
#include "genq/service/download_url.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::worker {
namespace {

namespace json = boost::json;
constexpr std::int64_t kMaxWaitMs = 60'000;
constexpr std::size_t kMaxBatchCompletions = 64;

http::Response lease_error(const Error& error) {
  if (error.kind == ErrorKind::Conflict) {
    return http::json_response(409, json::object{{"message", "lease lost"}, {"code", "lease_lost"}});
  }
  if (error.kind == ErrorKind::NotFound) return http::error_response(404, "Job not found.");
  return http::response_for(error);
}

std::optional<std::int64_t> int_field(const json::object& body, std::string_view name, std::int64_t lo,
                                      std::int64_t hi, std::int64_t fallback, http::FieldProblems& problems) {
  auto it = body.find(name);
  if (it == body.end() || it->value().is_null()) return fallback;
  if (!it->value().is_int64() || it->value().as_int64() < lo || it->value().as_int64() > hi) {
    problems.push_back({std::string(name), {"The " + std::string(name) + " field must be an integer between " +
                                            std::to_string(lo) + " and " + std::to_string(hi) + "."}});
    return std::nullopt;
  }
  return it->value().as_int64();
}

json::object lease_document(const Lease& lease, Services& services) {
  const Job& job = lease.job;
  json::object inputs;
  boost::system::error_code ec;
  auto parsed_inputs = json::parse(job.inputs_json, ec);
  if (!ec && parsed_inputs.is_object()) {
    for (const auto& [field, key] : parsed_inputs.as_object()) {
      if (!key.is_string()) continue;
      inputs[field] = download_url(services.jobs.blobs(), services.signer, std::string(key.as_string()),
                                   services.jobs.clock().now(), std::chrono::hours(1));
    }
  }
  auto params = json::parse(job.params_json, ec);
  if (ec) params = json::object{};
  const auto* task = services.catalog.find_task(job.task);
  auto lease_ms = services.jobs.options().lease.count();
  return {{"job_id", job.id},
          {"lease_id", job.lease_id},
          {"lease_ms", lease_ms},
          {"heartbeat_ms", lease_ms / 3},
          {"task", job.task},
          {"model", job.model},
          {"params", std::move(params)},
          {"inputs", std::move(inputs)},
          {"output", task ? catalog::output_kind_text(task->output) : "image"},
          {"attempt", job.attempts},
          {"max_attempts", job.max_attempts},
          {"submit_request_id", job.submit_request_id},
          {"execution_timeout_ms", job.execution_timeout.count()}};
}

// POST /api/v1/worker/claim {"worker_id","models","max_jobs","wait_ms"}
// 200 {"jobs":[...]} as soon as a job is leased, or {"jobs":[]} after wait_ms.
void claim(Services& services, http::Request& request, http::Reply reply, const WorkerToken& token) {
  auto body = api::parse_json_object(request.body);
  if (!body) return reply(http::error_response(400, body.error().message));
  http::FieldProblems problems;
  auto max_jobs = int_field(*body, "max_jobs", 1, 32, 1, problems);
  auto wait_ms = int_field(*body, "wait_ms", 0, kMaxWaitMs, 25'000, problems);
  ClaimRequest claim_request;
  claim_request.worker_id = "anonymous";
  if (auto it = body->find("worker_id"); it != body->end() && !it->value().is_null()) {
    if (!it->value().is_string() || it->value().as_string().empty() || it->value().as_string().size() > 128) {
      problems.push_back({"worker_id", {"The worker_id field must be a string of 1 to 128 characters."}});
    } else {
      claim_request.worker_id = std::string(it->value().as_string());
    }
  }
  std::vector<std::string> models;
  if (auto it = body->find("models"); it != body->end() && !it->value().is_null()) {
    if (!it->value().is_array()) {
      problems.push_back({"models", {"The models field must be an array of model names."}});
    } else {
      for (const auto& m : it->value().as_array()) {
        const catalog::ModelSpec* spec = m.is_string() ? services.catalog.find_model(m.as_string()) : nullptr;
        if (!spec) {
          problems.push_back({"models", {"The models field contains an unknown model."}});
          break;
        }
        models.push_back(spec->name);
      }
    }
  } else {
    for (const auto& m : services.catalog.models()) models.push_back(m.name);
  }
  if (!problems.empty()) return reply(http::validation_error(problems));
  if (!token.models.empty()) {
    std::erase_if(models, [&](const std::string& m) {
      return std::find(token.models.begin(), token.models.end(), m) == token.models.end();
    });
  }
  if (models.empty()) {
    return reply(http::validation_error({{"models", {"This worker token may not serve any of the requested models."}}}));
  }
  claim_request.models = std::move(models);
  claim_request.max_jobs = static_cast<int>(*max_jobs);
  claim_request.token_id = token.id;
  services.jobs.sightings().seen(claim_request.worker_id, token, &claim_request.models, services.jobs.clock().now());
  // A worker that hangs up mid-wait (stopped, crashed, timed out) gets no lease.
  request.on_client_gone = services.claims.claim(std::move(claim_request), Millis(*wait_ms),
                        [&services, reply](Result<std::vector<Lease>>&& leases) {
                          if (!leases) return reply(http::response_for(leases.error()));
                          json::array jobs;
                          for (const auto& lease : *leases) {
                            const log_context::RequestScope scope(lease.job.submit_request_id);
                            spdlog::info("job {} leased to {} (attempt {})", lease.job.id, lease.job.worker_id,
                                         lease.job.attempts);
                            jobs.push_back(lease_document(lease, services));
                          }
                          reply(http::json_response(200, json::object{{"jobs", std::move(jobs)}}));
                        });
}

// A lease used under a token other than the one that claimed it counts as a wrong
// lease id: the store answers lost lease (409), or 404 when there is no such job, as
// for any other caller. No real lease id starts like this one.
constexpr std::string_view kNotTheCallersLease = "not-the-callers-lease";
std::string callers_lease_id(std::string lease_id, const WorkerToken& token) {
  if (store_rules::lease_issued_to(lease_id, token.id)) return lease_id;
  return std::string(kNotTheCallersLease);
}

// Reads {"lease_id": "..."} and the job id, and checks the lease is the caller's; on
// failure answers and returns nullopt.
std::optional<std::pair<LeaseRef, json::object>> lease_body(http::Request& request, http::Reply& reply,
                                                            const WorkerToken& token) {
  auto body = api::parse_json_object(request.body);
  if (!body) {
    reply(http::error_response(400, body.error().message));
    return std::nullopt;
  }
  auto it = body->find("lease_id");
  if (it == body->end() || !it->value().is_string() || it->value().as_string().empty()) {
    reply(http::validation_error({{"lease_id", {"The lease_id field is required."}}}));
    return std::nullopt;
  }
  LeaseRef lease{request.param("job_id"), callers_lease_id(std::string(it->value().as_string()), token)};
  return std::make_pair(std::move(lease), std::move(*body));
}

json::object lease_ms_document(Services& services) {
  return {{"lease_ms", services.jobs.options().lease.count()}};
}

// POST /api/v1/worker/jobs/{job_id}/heartbeat {"lease_id"} -> {"lease_ms"}; 409 lease lost.
void heartbeat(Services& services, http::Request& request, http::Reply reply, const WorkerToken& token) {
  auto parsed = lease_body(request, reply, token);
  if (!parsed) return;
  services.jobs.heartbeat(std::move(parsed->first), [&services, reply](Result<TimePoint> extended) {
    if (!extended) return reply(lease_error(extended.error()));
    reply(http::json_response(200, lease_ms_document(services)));
  });
}

// POST /api/v1/worker/jobs/{job_id}/progress {"lease_id","progress","preview"?}
void progress(Services& services, http::Request& request, http::Reply reply, const WorkerToken& token) {
  auto parsed = lease_body(request, reply, token);
  if (!parsed) return;
  auto& [lease, body] = *parsed;
  auto it = body.find("progress");
  if (it == body.end() || !(it->value().is_number())) {
    return reply(http::validation_error({{"progress", {"The progress field must be a number between 0 and 100."}}}));
  }
  double value = it->value().to_number<double>();
  if (!std::isfinite(value) || value < 0 || value > 100) {
    return reply(http::validation_error({{"progress", {"The progress field must be a number between 0 and 100."}}}));
  }
  std::optional<std::string> preview;
  if (auto p = body.find("preview"); p != body.end() && !p->value().is_null()) {
    std::string decoded;
    if (!p->value().is_string() || !crypto::base64_decode(p->value().as_string(), decoded)) {
      return reply(http::validation_error({{"preview", {"The preview field must be a base64-encoded JPEG."}}}));
    }
    if (decoded.size() > services.jobs.options().max_preview_bytes) {
      return reply(http::error_response(413, "The preview is larger than " +
                                                 std::to_string(services.jobs.options().max_preview_bytes) + " bytes."));
    }
    if (decoded.size() < 3 || static_cast<unsigned char>(decoded[0]) != 0xFF ||
        static_cast<unsigned char>(decoded[1]) != 0xD8) {
      return reply(http::validation_error({{"preview", {"The preview field must be a base64-encoded JPEG."}}}));
    }
    preview = std::move(decoded);
  }
  services.jobs.progress(std::move(lease), value, std::move(preview),
                         [&services, reply, token](Result<Job> job) {
                           if (!job) return reply(lease_error(job.error()));
                           services.jobs.sightings().seen(job->worker_id, token, nullptr, services.jobs.clock().now());
                           reply(http::json_response(200, lease_ms_document(services)));
                         });
}

// PUT /api/v1/worker/jobs/{job_id}/result?lease_id=... (raw body, streamed to disk)
void upload(Services& services, http::Request& request, http::Reply reply, const WorkerToken& token) {
  auto lease_id = request.query_param("lease_id");
  if (!lease_id || lease_id->empty()) {
    return reply(http::validation_error({{"lease_id", {"The lease_id query parameter is required."}}}));
  }
  if (request.body_file.empty()) return reply(http::validation_error({{"body", {"The result file is empty."}}}));
  std::error_code ec;
  auto size = std::filesystem::file_size(request.body_file, ec);
  if (ec || size == 0) return reply(http::validation_error({{"body", {"The result file is empty."}}}));
  std::string mime = request.header("Content-Type");
  auto attached =
      services.jobs.attach_upload({request.param("job_id"), callers_lease_id(*lease_id, token)}, request.body_file, mime);
  if (!attached) return reply(lease_error(attached.error()));
  reply(http::json_response(200, json::object{{"bytes", size}}));
}

// Completes one job under its lease: `done` gets nullopt once the job is done, or the
// answer the single-job route gives for a refusal (409 lease lost, 422 no file, 404).
void complete_one(Services& services, LeaseRef lease, const json::object& body,
                  std::function<void(std::optional<http::Response>)> done) {
  auto current = services.jobs.get(lease.job_id);
  if (!current) return done(lease_error(current.error()));
  const auto* task = services.catalog.find_task(current->task);
  bool is_text = task && (task->output == catalog::OutputKind::Text || task->output == catalog::OutputKind::Json);
  std::optional<std::string> inline_result;
  bool is_json = false;
  if (auto it = body.find("result"); it != body.end() && !it->value().is_null()) {
    if (it->value().is_string()) {
      inline_result = std::string(it->value().as_string());
    } else {
      inline_result = json::serialize(it->value());
      is_json = true;
    }
  }
  services.jobs.complete(*current, std::move(lease), std::move(inline_result), is_json, !is_text,
                         [done = std::move(done)](Result<Job> job) {
                           if (!job) {
                             if (job.error().kind == ErrorKind::Invalid) {
                               return done(http::validation_error({{"result", {job.error().message}}}));
                             }
                             return done(lease_error(job.error()));
                           }
                           const log_context::RequestScope scope(job->submit_request_id);
                           spdlog::info("job {} done", job->id);
                           done(std::nullopt);
                         });
}

// POST /api/v1/worker/jobs/{job_id}/complete {"lease_id","result"?}
void complete(Services& services, http::Request& request, http::Reply reply, const WorkerToken& token) {
  auto parsed = lease_body(request, reply, token);
  if (!parsed) return;
  auto& [lease, body] = *parsed;
  complete_one(services, std::move(lease), body, [reply](std::optional<http::Response> refused) {
    if (refused) return reply(std::move(*refused));
    reply(http::json_response(200, json::object{{"status", "done"}}));
  });
}

// POST /api/v1/worker/complete {"jobs":[{"job_id","lease_id","result"?}, …]} (1 to 64)
// 200 {"jobs":[{"job_id","status":"done"} | {"job_id","status":"refused","http_status",
// "message",…}]} in the order sent, once every completion has committed (usually all in
// one commit). A worker finishing many short jobs at once saves a round trip per job.
void complete_batch(Services& services, http::Request& request, http::Reply reply, const WorkerToken& token) {
  auto body = api::parse_json_object(request.body);
  if (!body) return reply(http::error_response(400, body.error().message));
  const json::value* jobs = body->if_contains("jobs");
  if (jobs == nullptr || !jobs->is_array() || jobs->as_array().empty() ||
      jobs->as_array().size() > kMaxBatchCompletions) {
    return reply(http::validation_error(
        {{"jobs", {"The jobs field must be an array of 1 to " + std::to_string(kMaxBatchCompletions) + " completions."}}}));
  }
  http::FieldProblems problems;
  std::vector<std::pair<LeaseRef, json::object>> items;
  for (std::size_t i = 0; i < jobs->as_array().size(); ++i) {
    const json::value& item = jobs->as_array()[i];
    const std::string at = "jobs." + std::to_string(i);
    if (!item.is_object()) {
      problems.push_back({at, {"Each completion must be an object with job_id and lease_id."}});
      continue;
    }
    LeaseRef lease;
    for (auto [field, out] : {std::pair{"job_id", &lease.job_id}, std::pair{"lease_id", &lease.lease_id}}) {
      const json::value* v = item.as_object().if_contains(field);
      if (v == nullptr || !v->is_string() || v->as_string().empty()) {
        problems.push_back({at + "." + field, {"The " + std::string(field) + " field is required."}});
      } else {
        *out = std::string(v->as_string());
      }
    }
    lease.lease_id = callers_lease_id(std::move(lease.lease_id), token);
    items.emplace_back(std::move(lease), item.is_object() ? item.as_object() : json::object{});
  }
  if (!problems.empty()) return reply(http::validation_error(problems));

  // Every completion is queued before the first answer can come back; the last one to
  // answer sends the reply.
  struct Pending {
    std::mutex mutex;
    json::array results;
    std::size_t left = 0;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = items.size();
  for (const auto& [lease, item] : items) pending->results.push_back(json::object{{"job_id", lease.job_id}});
  for (std::size_t i = 0; i < items.size(); ++i) {
    complete_one(services, std::move(items[i].first), items[i].second,
                 [pending, reply, i](std::optional<http::Response> refused) {
                   std::unique_lock lock(pending->mutex);
                   json::object& result = pending->results[i].as_object();
                   if (!refused) {
                     result["status"] = "done";
                   } else {
                     result["status"] = "refused";
                     result["http_status"] = refused->status;
                     boost::system::error_code ec;
                     json::value why = json::parse(refused->body, ec);
                     if (!ec && why.is_object()) {
                       for (auto& [key, value] : why.as_object()) result[key] = value;
                     }
                   }
                   if (--pending->left > 0) return;
                   json::array results = std::move(pending->results);
                   lock.unlock();
                   reply(http::json_response(200, json::object{{"jobs", std::move(results)}}));
                 });
  }
}

// POST /api/v1/worker/jobs/{job_id}/fail {"lease_id","error","retryable"?,"error_code"?,"detail"?}
void fail_job(Services& services, http::Request& request, http::Reply reply, const WorkerToken& token) {
  auto parsed = lease_body(request, reply, token);
  if (!parsed) return;
  auto& [lease, body] = *parsed;
  std::string message = "worker failed";
  if (auto it = body.find("error"); it != body.end() && it->value().is_string() && !it->value().as_string().empty()) {
    message = std::string(it->value().as_string()).substr(0, 2000);
  }
  bool retryable = false;
  if (auto it = body.find("retryable"); it != body.end() && it->value().is_bool()) retryable = it->value().as_bool();
  // One of deAPI's codes (INVALID_INPUT, CONTEXT_LENGTH_EXCEEDED, ...) for the job.failed
  // webhook; the store reads anything else as PROCESSING_ERROR.
  std::string error_code;
  if (auto it = body.find("error_code"); it != body.end() && it->value().is_string()) {
    error_code = std::string(it->value().as_string()).substr(0, 64);
  }
  // For operators only (the admin API): a tool's stderr, with paths the client must not see.
  std::string detail;
  if (auto it = body.find("detail"); it != body.end() && it->value().is_string()) {
    detail = std::string(utf8_prefix(it->value().as_string(), kMaxFailureDetailBytes));
  }
  services.jobs.fail_job(std::move(lease), message, retryable, std::move(error_code), std::move(detail),
                         [reply, message](Result<Job> job) {
                           if (!job) return reply(lease_error(job.error()));
                           const log_context::RequestScope scope(job->submit_request_id);
                           spdlog::info("job {} failed ({}): {}", job->id, to_string(job->status), message);
                           reply(http::json_response(200, json::object{{"status", to_string(job->status)}}));
                         });
}

// POST /api/v1/worker/jobs/{job_id}/release {"lease_id"}
// The worker gives the job back without a verdict (it is stopping, or has no free
// slot): pending again, the attempt not counted. 200 {"status":"pending"}.
void release_job(Services& services, http::Request& request, http::Reply reply, const WorkerToken& token) {
  auto parsed = lease_body(request, reply, token);
  if (!parsed) return;
  services.jobs.release(std::move(parsed->first), [reply](Result<Job> job) {
    if (!job) return reply(lease_error(job.error()));
    const log_context::RequestScope scope(job->submit_request_id);
    spdlog::info("job {} released by its worker: pending again (attempts {})", job->id, job->attempts);
    reply(http::json_response(200, json::object{{"status", to_string(job->status)}}));
  });
}

}  // namespace

void add_worker_routes(http::Router& router, Services& services) {
  using http::Exec;
  using http::Verb;
  using Fn = void (*)(Services&, http::Request&, http::Reply, const WorkerToken&);
  auto bind = [&services](Fn fn) {
    return api::worker_only(services, [&services, fn](http::Request& r, http::Reply reply, const WorkerToken& t) {
      fn(services, r, std::move(reply), t);
    });
  };
  // Before a result upload is spooled to disk: the token, and that the job's lease
  // (from the query) is current, so nobody without a lease can fill the disk.
  auto upload_admission =
      [&services, worker = api::worker_admission(services)](http::Request& request) -> std::optional<http::Response> {
    if (std::optional<http::Response> refused = worker(request)) return refused;
    auto lease_id = request.query_param("lease_id");
    if (!lease_id || lease_id->empty()) {
      return http::validation_error({{"lease_id", {"The lease_id query parameter is required."}}});
    }
    const auto* token = std::any_cast<WorkerToken>(&request.principal);
    if (token == nullptr) return http::unauthenticated();
    if (Status current = services.jobs.check_lease({request.param("job_id"), callers_lease_id(*lease_id, *token)});
        !current) {
      return lease_error(current.error());
    }
    return std::nullopt;
  };
  const auto json_limit = services.options.max_json_bytes;
  router.add(api::for_workers(
      services, {Verb::post, "/api/v1/worker/claim", bind(claim), Exec::Inline, json_limit, false, "worker-claim"}));
  router.add(api::for_workers(services, {Verb::post, "/api/v1/worker/jobs/{job_id}/heartbeat", bind(heartbeat),
                                         Exec::Inline, json_limit, false, "worker-heartbeat"}));
  router.add(api::for_workers(services, {Verb::post, "/api/v1/worker/jobs/{job_id}/progress", bind(progress),
                                         Exec::Inline, json_limit, false, "worker-progress"}));
  http::Route upload_route{Verb::put, "/api/v1/worker/jobs/{job_id}/result", bind(upload), Exec::Pool,
                           services.options.max_result_bytes, true, "worker-result"};
  upload_route.admit = std::move(upload_admission);
  router.add(std::move(upload_route));
  router.add(api::for_workers(services, {Verb::post, "/api/v1/worker/jobs/{job_id}/complete", bind(complete),
                                         Exec::Inline, json_limit, false, "worker-complete"}));
  router.add(api::for_workers(services, {Verb::post, "/api/v1/worker/complete", bind(complete_batch), Exec::Inline,
                                         json_limit, false, "worker-complete-batch"}));
  router.add(api::for_workers(services, {Verb::post, "/api/v1/worker/jobs/{job_id}/fail", bind(fail_job), Exec::Inline,
                                         json_limit, false, "worker-fail"}));
  router.add(api::for_workers(services, {Verb::post, "/api/v1/worker/jobs/{job_id}/release", bind(release_job),
                                         Exec::Inline, json_limit, false, "worker-release"}));
}

}  // namespace genq::worker
