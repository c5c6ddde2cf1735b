#include "genq/store/sqlite/secret_sealing.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "genq/store/sealed_secrets.hpp"
#include "genq/store/sqlite/sqlite_statement.hpp"
#include "genq/store/store_rules.hpp"

namespace genq::sqlite {
namespace {

struct StoredSecret {
  std::string id;
  std::string value;
};

// The rows of `sql` (id, secret).
Result<std::vector<StoredSecret>> stored_secrets(Connection& connection, const std::string& sql) {
  Result<Statement> statement = connection.prepare(sql);
  if (!statement) return fail(std::move(statement.error()));
  std::vector<StoredSecret> found;
  while (true) {
    Result<bool> row = statement->step();
    if (!row) return fail(std::move(row.error()));
    if (!*row) break;
    found.push_back({statement->column_text(0), statement->column_text(1)});
  }
  return found;
}

// Seals each value of the column not sealed with the installed key yet.
Result<std::int64_t> seal_column(Connection& connection, std::string_view table_name, std::string_view column_name) {
  const std::string table(table_name);
  const std::string column(column_name);
  Result<std::vector<StoredSecret>> stored =
      stored_secrets(connection, "SELECT id, " + column + " FROM " + table + " WHERE " + column + " <> ''");
  if (!stored) return fail(std::move(stored.error()));
  std::int64_t sealed = 0;
  for (const StoredSecret& secret : *stored) {
    Result<std::optional<std::string>> resealed = sealed_with_current_key(secret.value);
    if (!resealed) return fail(std::move(resealed.error()));
    if (!*resealed) continue;
    Result<Statement> update = connection.prepare("UPDATE " + table + " SET " + column + " = ?2 WHERE id = ?1");
    if (!update) return fail(std::move(update.error()));
    update->bind_text(1, secret.id).bind_text(2, **resealed);
    if (Status ran = update->run(); !ran) return fail(std::move(ran.error()));
    ++sealed;
  }
  return sealed;
}

}  // namespace

Result<std::int64_t> seal_stored_secrets(Connection& connection) {
  const std::shared_ptr<const crypto::SecretBox> box = secret_box();
  if (!box) return std::int64_t{0};
  std::optional<std::string> sealed_with;
  {
    Result<Statement> marker =
        connection.prepare("SELECT value FROM store_settings WHERE name = '" + std::string(store_rules::kSecretsKeySetting) + "'");
    if (!marker) return fail(std::move(marker.error()));
    Result<bool> row = marker->step();
    if (!row) return fail(std::move(row.error()));
    if (*row) sealed_with = marker->column_text(0);
  }
  if (Result<bool> needed = store_rules::sealing_needed(sealed_with, box->key_id(), previous_secret_key_id());
      !needed || !*needed) {
    return needed ? Result<std::int64_t>(0) : fail(std::move(needed.error()));
  }
  // Zeroes the space the plain values leave, so a checkpointed file holds no copy.
  if (Status zeroing = connection.exec("PRAGMA secure_delete = ON"); !zeroing) return fail(std::move(zeroing.error()));
  std::int64_t sealed = 0;
  for (const auto& [table, column] : store_rules::kSecretColumns) {
    Result<std::int64_t> count = seal_column(connection, table, column);
    if (!count) return fail(std::move(count.error()));
    sealed += *count;
  }
  Result<Statement> record = connection.prepare(
      "INSERT INTO store_settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value");
  if (!record) return fail(std::move(record.error()));
  record->bind_text(1, std::string(store_rules::kSecretsKeySetting)).bind_text(2, box->key_id());
  if (Status ran = record->run(); !ran) return fail(std::move(ran.error()));
  if (Status back = connection.exec("PRAGMA secure_delete = OFF"); !back) return fail(std::move(back.error()));
  return sealed;
}

}  // namespace genq::sqlite
