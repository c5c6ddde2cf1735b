#include "genq/app/store_choice.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "genq/store/postgres/database_clock.hpp"
#include "genq/store/postgres/postgres_store.hpp"
#include "genq/store/sqlite/sqlite_store.hpp"

namespace genq::app {

bool is_postgres_url(std::string_view url) {
  return url.starts_with("postgres://") || url.starts_with("postgresql://");
}

Result<std::unique_ptr<Store>> open_store(const StoreChoice& choice, const Clock& clock) {
  if (!choice.url.empty()) {
    if (!is_postgres_url(choice.url)) {
      return fail(Error::invalid("--store must be a postgres:// URL (or empty for SQLite under --data)"));
    }
    PostgresOptions options;
    options.dsn = choice.url;
    options.pool_connections = choice.read_connections;
    options.hear_account_changes = choice.hear_account_changes;
    Result<std::unique_ptr<PostgresStore>> opened = PostgresStore::open(options, clock);
    if (!opened) {
      return fail(std::move(opened.error()));
    }
    return std::unique_ptr<Store>(std::move(*opened));
  }
  SqliteOptions options;
  options.path = choice.sqlite_path;
  options.sync_full = choice.sqlite_sync_full;
  options.read_connections = choice.read_connections;
  Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::open(options, clock);
  if (!opened) {
    return fail(std::move(opened.error()));
  }
  return std::unique_ptr<Store>(std::move(*opened));
}

Result<std::unique_ptr<Clock>> open_clock(const StoreChoice& choice) {
  if (!is_postgres_url(choice.url)) {
    return std::unique_ptr<Clock>(std::make_unique<SystemClock>());
  }
  Result<std::unique_ptr<postgres::DatabaseClock>> clock = postgres::DatabaseClock::open(choice.url);
  if (!clock) {
    return fail(std::move(clock.error()));
  }
  return std::unique_ptr<Clock>(std::move(*clock));
}

std::string describe(const StoreChoice& choice) {
  if (choice.url.empty()) {
    return choice.sqlite_path;
  }
  auto parsed = boost::urls::parse_uri(choice.url);
  if (!parsed) {
    return "the --store URL";
  }
  boost::urls::url shown(*parsed);
  if (shown.has_password()) {
    shown.set_password("***");
  }
  return std::string(shown.buffer());
}

}  // namespace genq::app
