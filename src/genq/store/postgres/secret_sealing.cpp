#include "genq/store/postgres/secret_sealing.hpp"

#include <memory>
#include <optional>
#include <string>

#include "genq/store/sealed_secrets.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::postgres {
namespace {

// Seals each value of the column not sealed with the installed key yet.
Result<std::int64_t> seal_column(Connection& connection, std::string_view table_name, std::string_view column_name) {
  const std::string table(table_name);
  const std::string column(column_name);
  Result<Rows> rows = connection.query("SELECT id, " + column + " FROM " + table + " WHERE " + column + " <> ''");
  if (!rows) return fail(std::move(rows.error()));
  std::int64_t sealed = 0;
  for (int row = 0; row < rows->size(); ++row) {
    Result<std::optional<std::string>> resealed = sealed_with_current_key(rows->text(row, 1));
    if (!resealed) return fail(std::move(resealed.error()));
    if (!*resealed) continue;
    Result<Rows> updated = connection.query("UPDATE " + table + " SET " + column + " = $2 WHERE id = $1",
                                            Params().text(rows->text(row, 0)).text(**resealed));
    if (!updated) return fail(std::move(updated.error()));
    ++sealed;
  }
  return sealed;
}

}  // namespace

Result<std::int64_t> seal_stored_secrets(Connection& connection) {
  const std::shared_ptr<const crypto::SecretBox> box = secret_box();
  if (!box) return std::int64_t{0};
  if (Status locked = connection.exec("LOCK TABLE store_settings IN EXCLUSIVE MODE"); !locked) {
    return fail(std::move(locked.error()));
  }
  const std::string setting(store_rules::kSecretsKeySetting);
  Result<Rows> marker = connection.query("SELECT value FROM store_settings WHERE name = $1", Params().text(setting));
  if (!marker) return fail(std::move(marker.error()));
  std::optional<std::string> sealed_with;
  if (!marker->empty()) sealed_with = marker->text(0, 0);
  Result<bool> needed = store_rules::sealing_needed(sealed_with, box->key_id(), previous_secret_key_id());
  if (!needed) return fail(std::move(needed.error()));
  if (!*needed) return std::int64_t{0};
  std::int64_t sealed = 0;
  for (const auto& [table, column] : store_rules::kSecretColumns) {
    Result<std::int64_t> count = seal_column(connection, table, column);
    if (!count) return fail(std::move(count.error()));
    sealed += *count;
  }
  Result<Rows> recorded = connection.query(
      "INSERT INTO store_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                                           Params().text(setting).text(box->key_id()));
  if (!recorded) return fail(std::move(recorded.error()));
  return sealed;
}

}  // namespace genq::postgres
