// --config files as an operator writes them: before or after the subcommand, top-level
// keys and command sections, precedence flag > GENQ_* environment > file > default,
// unknown keys refused by name, and --print-config showing each setting's source.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

using namespace std::chrono_literals;

class ConfigFile : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path.string();
  }
  // The "key = value  # source" line --print-config prints for `key`.
  static std::string line_of(const std::string& printed, const std::string& key) {
    const auto at = printed.find("\n" + key + " = ");
    const auto start = printed.starts_with(key + " = ") ? 0 : (at == std::string::npos ? std::string::npos : at + 1);
    if (start == std::string::npos) return "";
    return printed.substr(start, printed.find('\n', start) - start);
  }
  TempDir dir_{"genq-config"};
};

TEST_F(ConfigFile, IsAcceptedAfterTheSubcommandAsWellAsBefore) {
  const auto file = write("genq.toml", "listen = \"127.0.0.1:0\"\n[serve]\nlog-level = \"debug\"\n");
  const auto after = run_command({GENQ_BINARY, "serve", "--config", file, "--print-config"}, 20s);
  const auto before = run_command({GENQ_BINARY, "--config=" + file, "serve", "--print-config"}, 20s);
  for (const auto* result : {&after, &before}) {
    ASSERT_EQ(result->exit_code, 0) << result->err;
    EXPECT_EQ(line_of(result->out, "listen"), "listen = \"127.0.0.1:0\"  # file") << result->out;
    EXPECT_EQ(line_of(result->out, "log-level"), "log-level = \"debug\"  # file") << result->out;
  }
}

TEST_F(ConfigFile, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
  const auto file = write("genq.toml",
                          "lease_ms = 4000\n"  // underscores work as well as dashes
                          "max-connections = 500\n"
                          "max-attempts = 7\n"
                          "webhook-allow-http = true\n");
  const auto result = run_command({GENQ_BINARY, "serve", "--config", file, "--lease-ms", "6000", "--print-config"}, 20s,
                                  {{"GENQ_LEASE_MS", "5000"}, {"GENQ_MAX_CONNECTIONS", "77"}});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(line_of(result.out, "lease-ms"), "lease-ms = \"6000\"  # flag") << result.out;
  EXPECT_EQ(line_of(result.out, "max-connections"), "max-connections = \"77\"  # environment GENQ_MAX_CONNECTIONS")
      << result.out;
  EXPECT_EQ(line_of(result.out, "max-attempts"), "max-attempts = \"7\"  # file") << result.out;
  EXPECT_EQ(line_of(result.out, "webhook-allow-http"), "webhook-allow-http = \"true\"  # file") << result.out;
  EXPECT_EQ(line_of(result.out, "read-timeout-ms").substr(0, 18), "read-timeout-ms = ") << result.out;
  EXPECT_NE(line_of(result.out, "read-timeout-ms").find("# default"), std::string::npos) << result.out;
}

TEST_F(ConfigFile, UnknownKeyOrSectionIsAnErrorThatNamesIt) {
  const auto typo = run_command({GENQ_BINARY, "serve", "--config", write("a.toml", "lisen = \"127.0.0.1:0\"\n")}, 20s);
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown key 'lisen'"), std::string::npos) << typo.err;
  const auto section = run_command({GENQ_BINARY, "serve", "--config", write("b.toml", "[srve]\nlisten = \"x\"\n")}, 20s);
  EXPECT_EQ(section.exit_code, 2);
  EXPECT_NE(section.err.find("[srve]"), std::string::npos) << section.err;
  const auto wrong_command =
      run_command({GENQ_BINARY, "serve", "--config", write("c.toml", "[worker]\nlisten = \"x\"\n")}, 20s);
  EXPECT_EQ(wrong_command.exit_code, 2) << "listen is no flag of genq worker";
  EXPECT_NE(wrong_command.err.find("unknown key 'listen'"), std::string::npos) << wrong_command.err;
  const auto hash = run_command(
      {GENQ_BINARY, "serve", "--config", write("d.toml", "# a comment\nmetrics-token = \"abc#def\"\n")}, 20s);
  EXPECT_EQ(hash.exit_code, 2) << "a value cut at '#' would change the token silently";
  EXPECT_NE(hash.err.find("line 2"), std::string::npos) << hash.err;
  const auto missing = run_command({GENQ_BINARY, "serve", "--config", (dir_.path() / "none.toml").string()}, 20s);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("none.toml"), std::string::npos) << missing.err;
}

TEST_F(ConfigFile, PrintConfigMasksSecretsAndPasswords) {
  const auto file = write("genq.toml",
                          "pusher-secret = \"very-secret-value\"\n"
                          "metrics-token = \"metrics-token-value\"\n"
                          "store = \"postgres://genq:db-password@db.internal/genq\"\n");
  const auto result = run_command({GENQ_BINARY, "serve", "--config", file, "--print-config"}, 20s);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* secret : {"very-secret-value", "metrics-token-value", "db-password"}) {
    EXPECT_EQ(result.out.find(secret), std::string::npos) << "--print-config shows " << secret;
  }
  EXPECT_EQ(line_of(result.out, "pusher-secret"), "pusher-secret = \"********\"  # file");
  EXPECT_EQ(line_of(result.out, "store"), "store = \"postgres://genq:****@db.internal/genq\"  # file");
}

// One file for every command: top-level keys a command lacks belong to another one.
TEST_F(ConfigFile, OneFileServesTheServerTheWorkerAndAdmin) {
  const auto data = dir_.path() / "data";
  const auto file = write("genq.toml", "data = \"" + data.string() +
                                           "\"\nlisten = \"127.0.0.1:0\"\n"
                                           "[worker]\nserver = \"http://127.0.0.1:1\"\nconcurrency = 3\n");
  const auto client = run_command({GENQ_BINARY, "admin", "create-client", "--config", file, "--name", "cfg"}, 20s);
  ASSERT_EQ(client.exit_code, 0) << client.err;
  EXPECT_TRUE(std::filesystem::exists(data / "genq.db")) << "admin did not use the file's data directory";

  ChildProcess serve({GENQ_BINARY, "serve", "--config", file});
  ASSERT_TRUE(serve.wait_for_stdout("listening on ", 20s)) << serve.describe();
  // The server runs on the file's data directory: the client made by admin exists there.
  EXPECT_TRUE(std::filesystem::exists(data / "admin-token"));
  serve.kill(SIGTERM);
  EXPECT_TRUE(serve.wait_exit(10s));

  const auto worker = run_command({GENQ_BINARY, "worker", "--config", file, "--token", "t", "--print-config"}, 20s);
  ASSERT_EQ(worker.exit_code, 0) << worker.err;
  EXPECT_EQ(line_of(worker.out, "server"), "server = \"http://127.0.0.1:1\"  # file") << worker.out;
  EXPECT_EQ(line_of(worker.out, "concurrency"), "concurrency = \"3\"  # file") << worker.out;
}

}  // namespace
}  // namespace genq::testing
