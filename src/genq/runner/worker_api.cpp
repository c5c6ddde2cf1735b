#include "genq/runner/worker_api.hpp"

#include <boost/json.hpp>

#include <utility>

#include "genq/core/job.hpp"
#include "genq/core/utf8.hpp"
#include "genq/crypto/crypto.hpp"

namespace genq::runner {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Small calls answer in milliseconds; these only bound a hung connection.
constexpr std::chrono::milliseconds kLeaseCallTimeout = 15s;
constexpr std::chrono::milliseconds kFinishCallTimeout = 30s;
// The server may hold a claim for the whole wait before answering.
constexpr std::chrono::milliseconds kClaimSlack = 15s;
// The protocol caps error messages at 2000 characters; longer ones are cut here
// (counting bytes, which only ever cuts more).
constexpr std::size_t kMaxErrorChars = 2000;

std::string trim_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

// Answers are JSON; an empty or non-JSON 2xx body counts as {}.
json::value parse_or_empty(std::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  return ec ? json::value(json::object()) : value;
}

Status as_status(const Result<json::value>& answer) {
  if (!answer) {
    return genq::fail(answer.error());
  }
  return {};
}

// The job's status in a fail or release answer ({"status":"pending"}); "" if absent.
Result<std::string> status_of(Result<json::value> answer) {
  if (!answer) {
    return genq::fail(answer.error());
  }
  const json::value* status = answer->is_object() ? answer->get_object().if_contains("status") : nullptr;
  return status != nullptr && status->is_string() ? std::string(status->get_string()) : std::string();
}

}  // namespace

Error error_from_answer(long status, std::string_view body) {
  std::string message;
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    if (const json::value* m = parsed.get_object().if_contains("message"); m && m->is_string()) {
      message = std::string(m->get_string());
    }
  }
  if (message.empty()) {
    message = std::string(body.substr(0, 200));
  }
  std::string text = "HTTP " + std::to_string(status) + (message.empty() ? "" : ": " + message);
  if (status >= 500 || status == 429) {
    return Error::unavailable(std::move(text));
  }
  switch (status) {
    case 409:
      return Error::conflict(std::move(text));
    case 401:
    case 403:
      return Error::forbidden(std::move(text));
    case 404:
      return Error::not_found(std::move(text));
    default:
      return Error::invalid(std::move(text));
  }
}

WorkerApi::WorkerApi(std::string server_url, std::string token)
    : server_url_(trim_trailing_slashes(std::move(server_url))), token_(std::move(token)) {}

std::string WorkerApi::endpoint(const Lease& lease, std::string_view action) const {
  return server_url_ + "/api/v1/worker/jobs/" + lease.job_id + "/" + std::string(action);
}

Result<json::value> WorkerApi::post(const std::string& url, const json::value& body,
                                    std::chrono::milliseconds timeout, const std::atomic<bool>* abort,
                                    const std::string& request_id) {
  RequestOptions options{token_, timeout, abort, request_id};
  auto response = http_.post_json(url, json::serialize(body), options);
  if (!response) {
    return genq::fail(response.error());
  }
  if (response->status < 200 || response->status >= 300) {
    return genq::fail(error_from_answer(response->status, response->body));
  }
  return parse_or_empty(response->body);
}

Result<std::vector<ClaimedJob>> WorkerApi::claim(const ClaimRequest& request,
                                                 const std::atomic<bool>* abort) {
  json::object body;
  body["worker_id"] = request.worker_id;
  if (!request.models.empty()) {
    json::array models;
    for (const auto& m : request.models) {
      models.emplace_back(m);
    }
    body["models"] = std::move(models);
  }
  body["max_jobs"] = request.max_jobs;
  body["wait_ms"] = request.wait.count();
  auto answer = post(server_url_ + "/api/v1/worker/claim", body, request.wait + kClaimSlack, abort);
  if (!answer) {
    return genq::fail(answer.error());
  }
  return parse_claim_response(*answer);
}

Status WorkerApi::progress(const Lease& lease, double percent, std::string_view preview_jpeg,
                           const std::atomic<bool>* abort) {
  json::object body;
  body["lease_id"] = lease.lease_id;
  body["progress"] = percent;
  if (!preview_jpeg.empty()) {
    body["preview"] = crypto::base64_encode(preview_jpeg);
  }
  return as_status(post(endpoint(lease, "progress"), body, kLeaseCallTimeout, abort, lease.request_id));
}

Status WorkerApi::heartbeat(const Lease& lease, const std::atomic<bool>* abort) {
  json::object body;
  body["lease_id"] = lease.lease_id;
  return as_status(post(endpoint(lease, "heartbeat"), body, kLeaseCallTimeout, abort, lease.request_id));
}

Status WorkerApi::upload_result(const Lease& lease, const std::filesystem::path& file,
                                std::string_view content_type, const std::atomic<bool>* abort) {
  const std::string url = endpoint(lease, "result") + "?lease_id=" + http_.escape(lease.lease_id);
  RequestOptions options{token_, std::chrono::milliseconds::zero(), abort, lease.request_id};
  auto response = http_.put_file(url, file, content_type, options);
  if (!response) {
    return genq::fail(response.error());
  }
  if (response->status < 200 || response->status >= 300) {
    return genq::fail(error_from_answer(response->status, response->body));
  }
  return {};
}

Status WorkerApi::complete(const Lease& lease, const std::optional<json::value>& result) {
  json::object body;
  body["lease_id"] = lease.lease_id;
  if (result) {
    body["result"] = *result;
  }
  return as_status(post(endpoint(lease, "complete"), body, kFinishCallTimeout, nullptr, lease.request_id));
}

Result<std::string> WorkerApi::fail_job(const Lease& lease, std::string_view error, bool retryable,
                                       std::string_view error_code, std::string_view detail) {
  json::object body;
  body["lease_id"] = lease.lease_id;
  body["error"] = utf8_prefix(error, kMaxErrorChars);
  body["error_code"] = error_code;
  body["retryable"] = retryable;
  if (!detail.empty()) body["detail"] = utf8_prefix(detail, kMaxFailureDetailBytes);
  return status_of(post(endpoint(lease, "fail"), body, kFinishCallTimeout, nullptr, lease.request_id));
}

Result<std::string> WorkerApi::release(const Lease& lease) {
  return status_of(post(endpoint(lease, "release"), json::object{{"lease_id", lease.lease_id}}, kFinishCallTimeout,
                        nullptr, lease.request_id));
}

Status WorkerApi::download(const std::string& url, const std::filesystem::path& file,
                           const std::atomic<bool>* abort) {
  const std::string absolute = url.starts_with("/") ? server_url_ + url : url;
  RequestOptions options{"", std::chrono::milliseconds::zero(), abort};
  auto response = http_.get_to_file(absolute, file, options);
  if (!response) {
    return genq::fail(response.error());
  }
  if (response->status < 200 || response->status >= 300) {
    return genq::fail(error_from_answer(response->status, response->body));
  }
  return {};
}

}  // namespace genq::runner
