#include "genq/api/billing_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "genq/api/guards.hpp"
#include "genq/api/pagination.hpp"
#include "genq/api/request_body.hpp"
#include "genq/http/responses.hpp"

namespace genq::api {
namespace {

// The balance document: deAPI's {"balance"} (its SDK's Balance type) plus genq's fields.
// With billing off nothing is charged or refused, so every client reads unlimited.
boost::json::object balance_data(Services& services, const Balance& balance) {
  return {{"balance", from_nanos(balance.nanos)},
          {"currency", services.billing.currency()},
          {"unlimited", balance.unlimited || !services.billing.enabled()},
          {"billing_enabled", services.billing.enabled()}};
}

boost::json::value text_or_null(const std::string& text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

boost::json::object entry_data(Services& services, const LedgerEntry& entry) {
  const bool charge = entry.kind == LedgerKind::Charge;
  return {{"id", entry.seq},
          {"type", charge ? "charge" : "top_up"},
          {"amount", from_nanos(entry.amount_nanos)},
          {"price", charge ? boost::json::value(from_nanos(entry.price_nanos)) : boost::json::value(nullptr)},
          {"balance_after", from_nanos(entry.balance_nanos)},
          {"currency", services.billing.currency()},
          {"request_id", text_or_null(entry.job_id)},
          {"task", text_or_null(entry.task)},
          {"model", text_or_null(entry.model)},
          {"note", text_or_null(entry.note)},
          {"created_at", to_iso8601(entry.created_at)}};
}

// GET /api/v1/client/balance -> {"data":{"balance","currency","unlimited","billing_enabled"}}
void handle_balance(Services& services, http::Request&, http::Reply reply, const Client& client) {
  auto balance = services.billing.store().get_balance(client.id);
  if (!balance) return reply(http::response_for(balance.error()));
  reply(http::json_response(200, boost::json::object{{"data", balance_data(services, *balance)}}));
}

// GET /api/v1/client/usage?page=&per_page= -> the ledger, newest first, paginated like
// GET /models: {"data":[entry...],"links":{...},"meta":{...}}.
void handle_usage(Services& services, http::Request& request, http::Reply reply, const Client& client) {
  http::FieldProblems problems;
  const PageRequest page = read_page_request(request, problems);
  if (!problems.empty()) return reply(http::validation_error(problems));
  auto ledger = services.billing.store().list_ledger(client.id, page.offset(), page.per_page);
  if (!ledger) return reply(http::response_for(ledger.error()));

  boost::json::array data;
  for (const auto& entry : ledger->entries) data.push_back(entry_data(services, entry));
  reply(http::json_response(
      200, paginated(std::move(data), page, ledger->total, services.signer.public_base() + "/api/v1/client/usage")));
}

void reply_balance(Services& services, const std::string& client_id, const Result<Balance>& balance,
                   http::Reply& reply) {
  if (!balance) {
    return reply(http::response_for(balance.error().kind == ErrorKind::NotFound ? Error::not_found("Client not found.")
                                                                                : balance.error()));
  }
  boost::json::object data = balance_data(services, *balance);
  data["client_id"] = client_id;
  reply(http::json_response(200, boost::json::object{{"data", std::move(data)}}));
}

// GET /api/v1/admin/clients/{client_id}/balance
void admin_balance(Services& services, http::Request& request, http::Reply reply) {
  const std::string& client_id = request.param("client_id");
  reply_balance(services, client_id, services.billing.store().get_balance(client_id), reply);
}

// POST /api/v1/admin/clients/{client_id}/top-up {"amount": 10.5, "note"?: "invoice 42"}
// A negative amount corrects a balance downwards.
void admin_top_up(Services& services, http::Request& request, http::Reply reply) {
  auto body = parse_json_object(request.body);
  if (!body) return reply(http::error_response(400, body.error().message));
  http::FieldProblems problems;
  double amount = 0;
  const auto* amount_value = body->if_contains("amount");
  if (!amount_value || !amount_value->is_number() || !std::isfinite(amount_value->to_number<double>()) ||
      amount_value->to_number<double>() == 0 || std::abs(amount_value->to_number<double>()) > 1e9) {
    problems.push_back({"amount", {"The amount field must be a non-zero number of at most 1e9 in magnitude."}});
  } else {
    amount = amount_value->to_number<double>();
  }
  std::string note;
  if (const auto* n = body->if_contains("note"); n && !n->is_null()) {
    if (!n->is_string() || n->as_string().size() > 500) {
      problems.push_back({"note", {"The note field must be a string of at most 500 characters."}});
    } else {
      note = std::string(n->as_string());
    }
  }
  if (!problems.empty()) return reply(http::validation_error(problems));
  const std::string& client_id = request.param("client_id");
  reply_balance(services, client_id, services.billing.store().top_up(client_id, to_nanos(amount), note), reply);
}

// POST /api/v1/admin/clients/{client_id}/unlimited {"unlimited": true|false}
void admin_unlimited(Services& services, http::Request& request, http::Reply reply) {
  auto body = parse_json_object(request.body);
  if (!body) return reply(http::error_response(400, body.error().message));
  const auto* unlimited = body->if_contains("unlimited");
  if (!unlimited || !unlimited->is_bool()) {
    return reply(http::validation_error({{"unlimited", {"The unlimited field must be true or false."}}}));
  }
  const std::string& client_id = request.param("client_id");
  reply_balance(services, client_id, services.billing.store().set_unlimited(client_id, unlimited->as_bool()), reply);
}

}  // namespace

void add_client_billing_routes(http::Router& router, Services& services) {
  using http::Exec;
  using http::Verb;
  // Pool: both read the database (the balance changes with every done job, so it is
  // not cached with the credentials).
  router.add(for_clients(services, {Verb::get, "/api/v1/client/balance", client_route(services, handle_balance),
                                    Exec::Pool, 0, false, "balance"}));
  router.add(for_clients(services, {Verb::get, "/api/v1/client/usage", client_route(services, handle_usage), Exec::Pool,
                                    0, false, "usage"}));
}

void add_admin_billing_routes(http::Router& router, Services& services) {
  using http::Exec;
  using http::Verb;
  auto admin = [&services](AdminRoute route) { return admin_route(services, route); };
  router.add(for_admins(services, {Verb::get, "/api/v1/admin/clients/{client_id}/balance", admin(admin_balance),
                                   Exec::Pool, 0, false, "admin-client-balance"}));
  router.add(for_admins(services, {Verb::post, "/api/v1/admin/clients/{client_id}/top-up", admin(admin_top_up),
                                   Exec::Pool, 0, false, "admin-client-top-up"}));
  router.add(for_admins(services, {Verb::post, "/api/v1/admin/clients/{client_id}/unlimited", admin(admin_unlimited),
                                   Exec::Pool, 0, false, "admin-client-unlimited"}));
}

}  // namespace genq::api
