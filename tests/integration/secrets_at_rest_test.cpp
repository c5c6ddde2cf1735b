// Webhook secrets at rest (docs/security.md): the database, its WAL and the rest of the
// data directory hold no webhook secret in plain text, only sealed ones; a database
// from before sealing is sealed at the next start; a node given another key refuses
// to start rather than sign with garbage; GENQ_SECRETS_KEY_PREVIOUS changes the key.
#include "genq/crypto/secret_box.hpp"
#include "integration/genq_test.hpp"
#include "support/fake_model_server.hpp"

namespace genq::testing {
namespace {

class SecretsAtRest : public GenqTest {
 protected:
  std::vector<std::string> server_args() const override {
    return {"--webhook-allow-http", "--webhook-allow-private"};
  }

  // The files of the data directory that `needle` appears in, byte for byte.
  std::vector<std::string> files_holding(const std::string& needle) const {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(server().data_dir())) {
      if (entry.is_regular_file() && read_file(entry.path()).find(needle) != std::string::npos) {
        found.push_back(entry.path().filename().string());
      }
    }
    return found;
  }

  // Submits a job with its own webhook and secret, finishes it and waits for both
  // its deliveries (job.processing, job.completed).
  void deliver_job_with_secret(const std::string& secret) {
    FakeModelServer receiver;
    JobRequest request = requests().minimal("txt2img");
    request.fields["webhook_url"] = receiver.base_url() + "/hook";
    request.fields["webhook_secret"] = secret;
    finish_by_hand(submit(request));
    ASSERT_TRUE(wait_until(kJobDeadline, [&] { return receiver.bodies().size() >= 2; }))
        << receiver.bodies().size() << " webhooks arrived";
  }

  CommandResult run_admin(const EnvVars& env) const {
    return run_command({server().binary(), "admin", "list-worker-tokens", "--data", server().data_dir().string()},
                       20s, env);
  }
};

TEST_F(SecretsAtRest, NoWebhookSecretIsStoredInPlainText) {
  const std::string job_secret = "job-secret-" + std::string(32, 'q');
  deliver_job_with_secret(job_secret);
  const auto rotated = api().post_json("/api/v1/client/account/webhook/rotate-secret", boost::json::object{});
  ASSERT_EQ(rotated.status, 200) << rotated.describe();
  const std::string new_account_secret = text_at(rotated.json(), "/data/webhook_secret");

  for (const std::string& secret : {client().webhook_secret, new_account_secret, job_secret}) {
    EXPECT_EQ(files_holding(secret), std::vector<std::string>{}) << secret << " is stored in plain text";
  }
  ASSERT_TRUE(std::filesystem::exists(server().data_dir() / "secrets-key"));
  EXPECT_EQ(std::filesystem::status(server().data_dir() / "secrets-key").permissions() &
                (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);
  // Still there after a restart, sealed with the same key.
  server().restart();
  EXPECT_EQ(files_holding(job_secret), std::vector<std::string>{});
  deliver_job_with_secret(job_secret);
}

TEST_F(SecretsAtRest, AnotherKeyIsRefusedAtStartAndTheRightOneFromTheEnvironmentIsTaken) {
  const std::string key = read_file(server().data_dir() / "secrets-key");
  const CommandResult refused = run_admin({{"GENQ_SECRETS_KEY", std::string(64, '7')}});
  EXPECT_NE(refused.exit_code, 0) << refused.out;
  EXPECT_NE(refused.err.find("sealed with secrets key"), std::string::npos) << refused.err;

  const CommandResult malformed = run_admin({{"GENQ_SECRETS_KEY", "not-a-key"}});
  EXPECT_NE(malformed.exit_code, 0) << malformed.out;
  EXPECT_NE(malformed.err.find("GENQ_SECRETS_KEY"), std::string::npos) << malformed.err;

  const CommandResult same = run_admin({{"GENQ_SECRETS_KEY", key}});
  EXPECT_EQ(same.exit_code, 0) << same.err;
}

TEST_F(SecretsAtRest, ADatabaseFromBeforeSealingIsSealedAtTheNextStart) {
  ASSERT_TRUE(server().stop());
  // As a genq before sealing left it: secrets in plain text, no record of a key.
  const std::string legacy = "whsec_legacy" + std::string(30, 'L');
  const CommandResult rewritten = run_command(
      {"sqlite3", (server().data_dir() / "genq.db").string(),
       "UPDATE clients SET webhook_secret = '" + legacy + "'; DELETE FROM store_settings;"},
      20s);
  ASSERT_EQ(rewritten.exit_code, 0) << rewritten.err;
  ASSERT_EQ(files_holding(legacy).size(), 1u);

  server().start();
  EXPECT_TRUE(server().process().wait_for_output("webhook secrets: sealed 1 with secrets key", 10s)) << server().logs();
  const CommandResult checkpoint =
      run_command({"sqlite3", (server().data_dir() / "genq.db").string(), "PRAGMA wal_checkpoint(TRUNCATE);"}, 20s);
  ASSERT_EQ(checkpoint.exit_code, 0) << checkpoint.err;
  // Not in a row, and not left in the file's free space either (secure_delete).
  EXPECT_EQ(files_holding(legacy), std::vector<std::string>{});
  const CommandResult rows = run_command(
      {"sqlite3", (server().data_dir() / "genq.db").string(), "SELECT webhook_secret FROM clients"}, 20s);
  EXPECT_NE(rows.out.find("gqsealed:v1:"), std::string::npos) << rows.out;
  deliver_job_with_secret(std::string(40, 'j'));
}

// The data directory's key replaced by a new one: started with both, genq seals every
// secret again with the new key; the old one alone is refused from then on, and the
// webhooks still verify with the secrets the clients hold.
TEST_F(SecretsAtRest, ANewKeyWithThePreviousOneSealsEverySecretAgain) {
  const std::string job_secret = "job-secret-" + std::string(32, 'k');
  deliver_job_with_secret(job_secret);
  ASSERT_TRUE(server().stop());
  const std::string old_key = read_file(server().data_dir() / "secrets-key");
  const std::string new_key = crypto::SecretBox::new_key_text();
  const std::string new_key_id = crypto::SecretBox::from_key_text(new_key)->key_id();

  const CommandResult changed = run_admin({{"GENQ_SECRETS_KEY", new_key}, {"GENQ_SECRETS_KEY_PREVIOUS", old_key}});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  const CommandResult rows = run_command({"sqlite3", (server().data_dir() / "genq.db").string(),
                                          "SELECT webhook_secret FROM clients UNION ALL "
                                          "SELECT webhook_secret FROM jobs WHERE webhook_secret <> ''"},
                                         20s);
  ASSERT_EQ(rows.exit_code, 0) << rows.err;
  std::istringstream lines(rows.out);
  int sealed_with_new_key = 0;
  for (std::string line; std::getline(lines, line);) {
    EXPECT_TRUE(line.starts_with("gqsealed:v1:" + new_key_id + ":")) << line;
    ++sealed_with_new_key;
  }
  EXPECT_EQ(sealed_with_new_key, 2) << "the account's secret and the job's: " << rows.out;

  const CommandResult old_alone = run_admin({{"GENQ_SECRETS_KEY", old_key}});
  EXPECT_NE(old_alone.exit_code, 0) << old_alone.out;
  EXPECT_NE(old_alone.err.find("sealed with secrets key " + new_key_id), std::string::npos) << old_alone.err;

  // The new key in the data directory's file, as an operator finishes the change.
  write_file(server().data_dir() / "secrets-key", new_key);
  server().start();
  deliver_job_with_secret(job_secret);
  EXPECT_EQ(run_admin({{"GENQ_SECRETS_KEY", new_key}}).exit_code, 0) << "the new key alone is the key now";
  // A secret the key could not open would be logged, and its webhooks signed with "".
  EXPECT_EQ(server().logs().find("cannot be opened"), std::string::npos) << server().logs();
}

}  // namespace
}  // namespace genq::testing
