// PostgresStore as AccountStore and DeliveryStore: blocking calls, each in its own
// transaction (writes) or statement (reads) on a pooled connection.
#include "genq/store/postgres/account_ops.hpp"
#include "genq/store/postgres/connection_pool.hpp"
#include "genq/store/postgres/delivery_ops.hpp"
#include "genq/store/postgres/postgres_store.hpp"
#include "genq/store/postgres/endpoint_health.hpp"
#include "genq/store/postgres/secret_ops.hpp"
#include "genq/store/postgres/secret_sealing.hpp"
#include "genq/store/sealed_secrets.hpp"

namespace genq {

using postgres::Connection;

namespace {

// Rows per prune transaction (see kSweepBatch in postgres_store.cpp).
constexpr int kPruneBatch = 500;

// Adapts a Status operation to the Result<T> that transact() runs.
template <class Fn>
auto as_result(Fn fn) {
  return [fn = std::move(fn)](Connection& c) -> Result<bool> {
    if (Status done = fn(c); !done) {
      return fail(std::move(done.error()));
    }
    return true;
  };
}

Status as_status(Result<bool> result) {
  if (!result) {
    return fail(std::move(result.error()));
  }
  return {};
}

}  // namespace

template <class T, class Fn>
Result<T> PostgresStore::change_accounts(Fn fn) {
  Result<T> changed = postgres::transact<T>(*pool_, [&](Connection& c) -> Result<T> {
    Result<T> done = fn(c);
    if (!done) {
      return done;
    }
    // Delivered to every listening node when (and only if) this transaction commits.
    if (Status notified = c.exec("NOTIFY genq_accounts"); !notified) {
      return genq::fail(std::move(notified.error()));
    }
    return done;
  });
  forget_credentials();
  return changed;
}

void PostgresStore::forget_credentials() {
  clients_by_key_.clear();
  workers_by_token_.clear();
}

Result<std::string> PostgresStore::shared_secret(const std::string& name, const std::string& value_if_new) {
  return postgres::read<std::string>(
      *pool_, [&](Connection& c) { return postgres::read_or_insert_secret(c, name, value_if_new, clock_.now()); });
}

Result<std::vector<DisabledEndpoint>> PostgresStore::note_endpoint_attempts(const std::vector<EndpointAttempt>& attempts,
                                                                            const EndpointRules& rules) {
  if (attempts.empty()) return std::vector<DisabledEndpoint>{};
  Result<std::vector<DisabledEndpoint>> disabled = postgres::transact<std::vector<DisabledEndpoint>>(
      *pool_, [&](Connection& c) { return postgres::note_endpoint_attempts(c, attempts, rules); });
  if (disabled && !disabled->empty()) forget_credentials();
  return disabled;
}

Result<std::int64_t> PostgresStore::recover_account_webhook(const std::string& client_id, TimePoint since,
                                                            TimePoint until) {
  Result<std::int64_t> recovered = postgres::transact<std::int64_t>(*pool_, [&](Connection& c) {
    return postgres::recover_account_webhook(c, client_id, since, until, clock_.now());
  });
  if (recovered) forget_credentials();
  return recovered;
}

Result<std::int64_t> PostgresStore::seal_stored_secrets() {
  if (!secret_box()) return std::int64_t{0};  // no key: no transaction either
  Result<std::int64_t> sealed =
      postgres::transact<std::int64_t>(*pool_, [](Connection& c) { return postgres::seal_stored_secrets(c); });
  if (sealed) forget_credentials();
  return sealed;
}

Result<Client> PostgresStore::create_client(const Client& client, const std::string& api_key_hash) {
  return postgres::transact<Client>(
      *pool_, [&](Connection& c) { return postgres::insert_client(c, client, api_key_hash, clock_.now()); });
}

Status PostgresStore::add_api_key(const std::string& client_id, const std::string& api_key_hash) {
  return as_status(postgres::transact<bool>(*pool_, as_result([&](Connection& c) {
    return postgres::insert_api_key(c, client_id, api_key_hash, clock_.now());
  })));
}

Status PostgresStore::set_client_disabled(const std::string& client_id, bool disabled) {
  return as_status(change_accounts<bool>(
      as_result([&](Connection& c) { return postgres::update_client_disabled(c, client_id, disabled); })));
}

Status PostgresStore::set_client_limits(const std::string& client_id, const ClientLimits& limits) {
  return as_status(change_accounts<bool>(
      as_result([&](Connection& c) { return postgres::update_client_limits(c, client_id, limits); })));
}

Status PostgresStore::set_account_webhook(const std::string& client_id, const std::string& url,
                                          const std::vector<std::string>& events) {
  return as_status(change_accounts<bool>(
      as_result([&](Connection& c) { return postgres::update_account_webhook(c, client_id, url, events); })));
}

Result<Client> PostgresStore::rotate_webhook_secret(const std::string& client_id, const std::string& new_secret,
                                                    TimePoint previous_until) {
  return change_accounts<Client>([&](Connection& c) {
    return postgres::rotate_client_webhook_secret(c, client_id, new_secret, previous_until);
  });
}

Result<Balance> PostgresStore::get_balance(const std::string& client_id) {
  return postgres::read<Balance>(*pool_, [&](Connection& c) { return postgres::read_balance(c, client_id); });
}

Result<Balance> PostgresStore::top_up(const std::string& client_id, std::int64_t amount_nanos,
                                      const std::string& note) {
  return postgres::transact<Balance>(
      *pool_, [&](Connection& c) { return postgres::add_top_up(c, client_id, amount_nanos, note, clock_.now()); });
}

Result<Balance> PostgresStore::set_unlimited(const std::string& client_id, bool unlimited) {
  return postgres::transact<Balance>(
      *pool_, [&](Connection& c) { return postgres::update_unlimited(c, client_id, unlimited); });
}

Result<LedgerPage> PostgresStore::list_ledger(const std::string& client_id, std::int64_t offset, std::int64_t limit) {
  // One transaction, so the total and the page come from the same snapshot.
  return postgres::transact<LedgerPage>(
      *pool_, [&](Connection& c) { return postgres::read_ledger(c, client_id, offset, limit); });
}

Result<WorkerToken> PostgresStore::create_worker_token(const WorkerToken& token, const std::string& token_hash) {
  return postgres::transact<WorkerToken>(
      *pool_, [&](Connection& c) { return postgres::insert_worker_token(c, token, token_hash, clock_.now()); });
}

Result<std::vector<WorkerToken>> PostgresStore::list_worker_tokens() {
  return postgres::read<std::vector<WorkerToken>>(*pool_, [](Connection& c) { return postgres::all_worker_tokens(c); });
}

Result<std::vector<ApiKeyInfo>> PostgresStore::list_api_keys(const std::string& client_id) {
  return postgres::read<std::vector<ApiKeyInfo>>(*pool_,
                                                 [&](Connection& c) { return postgres::client_api_keys(c, client_id); });
}

Status PostgresStore::revoke_api_key(const std::string& client_id, const std::string& key_id) {
  return as_status(
      change_accounts<bool>(as_result([&](Connection& c) { return postgres::delete_api_key(c, client_id, key_id); })));
}

Status PostgresStore::set_worker_token_disabled(const std::string& token_id, bool disabled) {
  return as_status(change_accounts<bool>(
      as_result([&](Connection& c) { return postgres::update_worker_token_disabled(c, token_id, disabled); })));
}

Status PostgresStore::delete_worker_token(const std::string& token_id) {
  return as_status(
      change_accounts<bool>(as_result([&](Connection& c) { return postgres::delete_worker_token(c, token_id); })));
}

Result<Client> PostgresStore::find_client_by_key(const std::string& api_key_hash) {
  return clients_by_key_.find_or_read(api_key_hash, [&] {
    return postgres::read<Client>(*pool_,
                                  [&](Connection& c) { return postgres::find_client_by_key_hash(c, api_key_hash); });
  });
}

Result<Client> PostgresStore::get_client(const std::string& client_id) {
  return postgres::read<Client>(*pool_, [&](Connection& c) { return postgres::find_client(c, client_id); });
}

Result<std::vector<Client>> PostgresStore::list_clients() {
  return postgres::read<std::vector<Client>>(*pool_, [](Connection& c) { return postgres::all_clients(c); });
}

Result<WorkerToken> PostgresStore::find_worker_by_token(const std::string& token_hash) {
  return workers_by_token_.find_or_read(token_hash, [&] {
    return postgres::read<WorkerToken>(
        *pool_, [&](Connection& c) { return postgres::find_enabled_worker_token(c, token_hash); });
  });
}

Result<std::vector<std::string>> PostgresStore::due_hosts(TimePoint now) {
  return postgres::read<std::vector<std::string>>(*pool_,
                                                  [&](Connection& c) { return postgres::find_due_hosts(c, now); });
}

Result<std::vector<DueDelivery>> PostgresStore::due_deliveries(const DueQuery& query) {
  return postgres::transact<std::vector<DueDelivery>>(
      *pool_, [&](Connection& c) { return postgres::find_due_deliveries(c, query); });
}

Result<std::optional<TimePoint>> PostgresStore::next_delivery_time(TimePoint after) {
  return postgres::read<std::optional<TimePoint>>(
      *pool_, [&](Connection& c) { return postgres::earliest_delivery_after(c, after); });
}

Status PostgresStore::record_attempts(const std::vector<AttemptRecord>& attempts) {
  return as_status(postgres::transact<bool>(
      *pool_, as_result([&](Connection& c) { return postgres::record_delivery_attempts(c, attempts); })));
}

Result<std::vector<DeliveryRecord>> PostgresStore::deliveries_for_job(const std::string& job_id,
                                                                      const std::string& client_id) {
  return postgres::transact<std::vector<DeliveryRecord>>(
      *pool_, [&](Connection& c) { return postgres::find_job_deliveries(c, job_id, client_id); });
}

Result<DeliveryRecord> PostgresStore::redeliver(const std::string& delivery_id, const std::string& client_id) {
  return postgres::transact<DeliveryRecord>(
      *pool_, [&](Connection& c) { return postgres::redeliver_delivery(c, delivery_id, client_id, clock_.now()); });
}

Result<std::int64_t> PostgresStore::count_pending_deliveries() {
  return postgres::read<std::int64_t>(*pool_, [](Connection& c) { return postgres::count_pending(c); });
}

Result<std::int64_t> PostgresStore::prune_deliveries(TimePoint before) {
  std::int64_t pruned = 0;
  while (true) {
    Result<std::int64_t> batch = postgres::transact<std::int64_t>(
        *pool_, [&](Connection& c) { return postgres::prune_finished_deliveries(c, before, kPruneBatch); });
    if (!batch) {
      return batch;
    }
    pruned += *batch;
    if (*batch < kPruneBatch) {
      return pruned;
    }
  }
}

}  // namespace genq
