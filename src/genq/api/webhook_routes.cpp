#include "genq/api/webhook_routes.hpp"

#include <boost/json.hpp>

#include "genq/api/request_body.hpp"
#include "genq/api/status_view.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

boost::json::object render_delivery(const DeliveryRecord& delivery) {
  boost::json::array attempts;
  for (const DeliveryAttempt& a : delivery.log) {
    attempts.push_back(boost::json::object{
        {"attempt", a.number},
        {"at", to_iso8601(a.started_at)},
        {"http_status", a.http_status ? boost::json::value(*a.http_status) : boost::json::value(nullptr)},
        {"latency_ms", a.latency.count()},
        {"error", a.error.empty() ? boost::json::value(nullptr) : boost::json::value(a.error)},
        {"next_retry_at", iso_or_null(a.next_retry_at)},
    });
  }
  return boost::json::object{
      {"delivery_id", delivery.id},
      {"request_id", delivery.job_id},
      {"event", delivery.event},
      {"url", delivery.url},
      {"state", to_string(delivery.state)},
      {"attempt_count", delivery.attempts},
      {"created_at", to_iso8601(delivery.created_at)},
      {"next_retry_at", iso_or_null(delivery.next_attempt_at)},
      {"finished_at", iso_or_null(delivery.finished_at)},
      {"attempts", std::move(attempts)},
  };
}

}  // namespace

// GET /api/v1/client/webhook-deliveries?request_id=<uuid>
// 200 {"data":[delivery, ...]} oldest first, each with its attempts; 422 without
// request_id; 404 for unknown requests and other clients' requests.
void handle_list_deliveries(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  auto request_id = request.query_param("request_id");
  if (!request_id || request_id->empty()) {
    return reply(http::validation_error({{"request_id", {"The request id field is required."}}}));
  }
  auto deliveries = services.webhooks.deliveries_for_request(*request_id, client.id);
  if (!deliveries) {
    if (deliveries.error().kind == ErrorKind::NotFound) return reply(http::error_response(404, "Request not found."));
    return reply(http::response_for(deliveries.error()));
  }
  boost::json::array data;
  for (const auto& delivery : *deliveries) data.push_back(render_delivery(delivery));
  reply(http::json_response(200, boost::json::object{{"data", std::move(data)}}));
}

// POST /api/v1/client/webhook-deliveries/{delivery_id}/redeliver
// Sends the delivery again now with the same delivery id (a finished one gets a new
// retry series). 200 {"data":delivery}; 404 for unknown and other clients' deliveries.
void handle_redeliver(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  auto delivery = services.webhooks.redeliver(request.param("delivery_id"), client.id);
  if (!delivery) {
    if (delivery.error().kind == ErrorKind::NotFound) return reply(http::error_response(404, "Delivery not found."));
    return reply(http::response_for(delivery.error()));
  }
  reply(http::json_response(200, boost::json::object{{"data", render_delivery(*delivery)}}));
}

// POST /api/v1/client/account/webhook/rotate-secret
// 200 {"data":{"webhook_secret":"whsec_…","previous_secret_expires_at":"…"}}: the new
// account secret; the old one keeps signing (beside the new) until the expiry.
void handle_rotate_secret(Services& services, http::Request&, http::Reply reply, const Client& client) {
  auto rotated = services.accounts.rotate_webhook_secret(client.id, services.options.webhook_secret_overlap);
  if (!rotated) return reply(http::response_for(rotated.error()));
  reply(http::json_response(
      200, boost::json::object{{"data", boost::json::object{
                                            {"webhook_secret", rotated->webhook_secret},
                                            {"previous_secret_expires_at", iso_or_null(rotated->previous_secret_until)},
                                        }}}));
}

// POST /api/v1/client/account/webhook/recover {"since":"<RFC 3339>","until":"<RFC 3339>"?}
// Enables the account webhook again (docs/webhooks.md, "Endpoint health") and sends
// again every failed delivery to it created in [since, until) (until: now).
// 200 {"data":{"recovered":N,"enabled":true}}; 422 for a missing or malformed time.
void handle_recover_webhook(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  auto body = parse_json_object(request.body.empty() ? "{}" : request.body);
  if (!body) return reply(http::error_response(400, body.error().message));
  http::FieldProblems problems;
  auto read_time = [&](const char* field, bool required) -> std::optional<TimePoint> {
    auto it = body->find(field);
    if (it == body->end() || it->value().is_null()) {
      if (required) problems.push_back({field, {"The " + std::string(field) + " field is required."}});
      return std::nullopt;
    }
    std::optional<TimePoint> at =
        it->value().is_string() ? parse_iso8601(it->value().as_string()) : std::optional<TimePoint>();
    if (!at) {
      problems.push_back({field, {"The " + std::string(field) +
                                  " field must be an RFC 3339 time, such as 2026-12-01T00:00:00Z."}});
    }
    return at;
  };
  const std::optional<TimePoint> since = read_time("since", true);
  const std::optional<TimePoint> until = read_time("until", false);
  for (const auto& [key, value] : *body) {
    if (key != "since" && key != "until") {
      problems.push_back({std::string(key), {"The " + std::string(key) + " field is not supported."}});
    }
  }
  if (since && until && *until <= *since) problems.push_back({"until", {"The until field must be after since."}});
  if (!problems.empty()) return reply(http::validation_error(problems));
  const TimePoint end = until ? *until : services.jobs.clock().now() + Millis(1);
  auto recovered = services.webhooks.recover_account_webhook(client.id, *since, end);
  if (!recovered) return reply(http::response_for(recovered.error()));
  reply(http::json_response(
      200, boost::json::object{{"data", boost::json::object{{"recovered", *recovered}, {"enabled", true}}}}));
}

}  // namespace genq::api
