#include "genq/api/ops_routes.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "genq/api/readiness.hpp"
#include "genq/crypto/crypto.hpp"
#include "genq/http/responses.hpp"
#include "genq/service/inline_result.hpp"

namespace genq::api {
namespace {

std::string content_type_for(const std::string& key) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".png", "image/png"},   {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".webp", "image/webp"},
      {".gif", "image/gif"},   {".wav", "audio/wav"},  {".mp3", "audio/mpeg"},  {".ogg", "audio/ogg"},
      {".flac", "audio/flac"}, {".mp4", "video/mp4"},  {".webm", "video/webm"}, {".txt", "text/plain; charset=utf-8"},
      {".json", "application/json"}};
  for (const auto& [ext, type] : kTypes) {
    if (key.ends_with(ext)) return type;
  }
  return "application/octet-stream";
}

// The text of a completed job's inline result (service/inline_result.hpp), while the
// job still names `key` as its result (retention clears it with the files').
std::optional<std::string> inline_result(Services& services, const std::string& key) {
  auto job_id = job_of_inline_result_key(key);
  if (!job_id) return std::nullopt;
  auto job = services.jobs.get(*job_id);
  if (!job || job->result_blob != key || !job->result_text) return std::nullopt;
  return std::move(*job->result_text);
}

// GET /files/{kind}/{id}/{name}?expires=&signature=
// 200 the file; 403 when the signature is missing, altered or expired; 404 when gone.
void download(Services& services, http::Request& request, http::Reply reply) {
  std::string key = request.param("kind") + "/" + request.param("id") + "/" + request.param("name");
  auto expires = request.query_param("expires");
  auto signature = request.query_param("signature");
  if (!expires || !signature ||
      !services.signer.verify(key, *expires, *signature, services.jobs.clock().now())) {
    return reply(http::error_response(403, "Invalid or expired signature."));
  }
  http::Response r;
  if (auto path = services.jobs.blobs().local_path(key)) {
    r.file_path = path->string();
  } else if (auto text = inline_result(services, key)) {
    r.body = std::move(*text);
  } else {
    return reply(http::error_response(404, "File not found."));
  }
  r.content_type = content_type_for(key);
  r.headers.emplace_back("Cache-Control", "private, max-age=3600");
  reply(std::move(r));
}

}  // namespace

void add_ops_routes(http::Router& router, Services& services) {
  using http::Exec;
  using http::Verb;
  router.add({Verb::get, "/files/{kind}/{id}/{name}",
              [&services](http::Request& r, http::Reply reply) { download(services, r, std::move(reply)); },
              Exec::Inline, 0, false, "files"});
  router.add({Verb::get, "/healthz",
              [](http::Request&, http::Reply reply) {
                reply(http::json_response(200, boost::json::object{{"status", "ok"}}));
              },
              Exec::Inline, 0, false, "healthz"});
  // Ready when the store, the event bus (a node cut off from Redis still serves, but
  // its clients miss other nodes' events: the load balancer should prefer the others)
  // and the blob store answer (readiness.hpp).
  router.add({Verb::get, "/readyz",
              [&services](http::Request&, http::Reply reply) {
                Readiness readiness = check_readiness(services);
                reply(http::json_response(readiness.status, std::move(readiness.body)));
              },
              Exec::Pool, 0, false, "readyz"});
  router.add({Verb::get, "/metrics",
              [&services](http::Request& request, http::Reply reply) {
                const std::string& token = services.options.metrics_token;
                if (!token.empty() && !crypto::constant_time_equal(request.bearer_token(), token)) {
                  return reply(http::unauthenticated());
                }
                http::Response r;
                r.content_type = "text/plain; version=0.0.4";
                r.body = services.metrics.render();
                reply(std::move(r));
              },
              Exec::Pool, 0, false, "metrics"});
}

}  // namespace genq::api
