#include "genq/api/ops_routes.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "genq/api/readiness.hpp"
#include "genq/crypto/crypto.hpp"
#include "genq/http/responses.hpp"
#include "genq/service/alt_format_keys.hpp"
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
std::optional<std::string> inline_result_text(Services& services, const std::string& key) {
  auto job_id = job_of_inline_result_key(key);
  if (!job_id) return std::nullopt;
  auto job = services.jobs.get(*job_id);
  if (!job || job->result_blob != key || !job->result_text) return std::nullopt;
  return std::move(*job->result_text);
}

http::Response file_answer(const std::string& key, std::string path) {
  http::Response r;
  r.file_path = std::move(path);
  r.content_type = content_type_for(key);
  r.headers.emplace_back("Cache-Control", "private, max-age=3600");
  return r;
}

// A result's copy in another format (results_alt_formats; service/alt_format_keys.hpp),
// made on its first download. A stored copy is answered at once; otherwise the
// conversion (seconds for a big image) and, with S3, even the check for the copy run
// on the blocking pool. With S3 the answer is a redirect to the copy's presigned URL,
// as result_url is one.
void download_alt_format(Services& services, http::Request& request, std::string key, http::Reply reply) {
  if (auto path = services.jobs.blobs().local_path(key)) return reply(file_answer(key, path->string()));
  auto work = [&services, key = std::move(key), reply = std::move(reply)] {
    if (Status made = services.alt_formats.ensure(key); !made) return reply(http::response_for(made.error()));
    BlobStore& blobs = services.jobs.blobs();
    if (auto path = blobs.local_path(key)) return reply(file_answer(key, path->string()));
    auto direct = blobs.direct_url(key, services.jobs.clock().now(), services.jobs.options().url_ttl);
    if (!direct) return reply(http::error_response(404, "File not found."));
    http::Response r;
    r.status = 302;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Location", std::move(*direct));
    r.headers.emplace_back("Cache-Control", "no-store");
    reply(std::move(r));
  };
  if (request.run_blocking) return request.run_blocking(std::move(work));
  work();
}

// GET /files/{kind}/{id}/{name}?expires=&signature=
// 200 the file; 302 to the bucket for a converted copy kept in S3; 403 when the
// signature is missing, altered or expired; 404 when gone; 422 when a copy in another
// format cannot be made (the result is damaged or too large); 503 when storage fails.
void download(Services& services, http::Request& request, http::Reply reply) {
  std::string key = request.param("kind") + "/" + request.param("id") + "/" + request.param("name");
  auto expires = request.query_param("expires");
  auto signature = request.query_param("signature");
  if (!expires || !signature ||
      !services.signer.verify(key, *expires, *signature, services.jobs.clock().now())) {
    return reply(http::error_response(403, "Invalid or expired signature."));
  }
  if (alt_format_source(key)) return download_alt_format(services, request, std::move(key), std::move(reply));
  if (auto path = services.jobs.blobs().local_path(key)) return reply(file_answer(key, path->string()));
  auto text = inline_result_text(services, key);
  if (!text) return reply(http::error_response(404, "File not found."));
  http::Response r;
  r.body = std::move(*text);
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
