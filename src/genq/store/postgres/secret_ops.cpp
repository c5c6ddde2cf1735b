#include "genq/store/postgres/secret_ops.hpp"

namespace genq::postgres {

Result<std::string> read_or_insert_secret(Connection& connection, const std::string& name,
                                          const std::string& value_if_new, TimePoint now) {
  Result<Rows> inserted = connection.query(
      "INSERT INTO cluster_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
      Params().text(name).text(value_if_new).time(now));
  if (!inserted) {
    return fail(std::move(inserted.error()));
  }
  Result<Rows> stored = connection.query("SELECT value FROM cluster_secrets WHERE name = $1", Params().text(name));
  if (!stored) {
    return fail(std::move(stored.error()));
  }
  if (stored->empty()) {
    return fail(Error::internal("secret " + name + " vanished right after it was stored"));
  }
  return stored->text(0, 0);
}

}  // namespace genq::postgres
