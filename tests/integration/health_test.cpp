// Operating genq (SPEC §9): health and readiness probes, Prometheus metrics, the
// listening line, clean shutdown on SIGTERM, and --help describing every flag.
#include <regex>
#include <sstream>

#include "integration/genq_test.hpp"

namespace genq::testing {
namespace {

class Operations : public GenqTest {};

TEST_F(Operations, HealthAndReadinessAnswerOk) {
  EXPECT_EQ(server().http().get("/healthz").status, 200);
  EXPECT_EQ(server().http().get("/readyz").status, 200);
}

TEST_F(Operations, ReadinessReportsEachDependency) {
  const auto response = server().http().get("/readyz");
  ASSERT_EQ(response.status, 200) << response.describe();
  const auto body = response.json();
  EXPECT_EQ(text_at(body, "/status"), "ready");
  for (const char* check : {"store", "bus", "blobs", "webhooks"}) {
    EXPECT_EQ(text_at(body, "/checks/" + std::string(check) + "/status"), "ok") << check << ": " << response.body;
    const auto* required = json_at(body, "/checks/" + std::string(check) + "/required");
    ASSERT_TRUE(required && required->is_bool()) << check << ": " << response.body;
    EXPECT_EQ(required->as_bool(), std::string(check) != "webhooks") << check;
  }
  EXPECT_EQ(text_at(body, "/checks/bus/detail"), "in-process");
  EXPECT_NE(text_at(body, "/checks/blobs/detail").find("directory"), std::string::npos) << response.body;
  EXPECT_EQ(json_at(body, "/message"), nullptr) << "a message only says what fails";
}

TEST_F(Operations, MetricsAreInPrometheusTextFormat) {
  submit(requests().minimal("txt2img"));
  const auto response = server().admin_http().get("/metrics");
  ASSERT_EQ(response.status, 200) << response.describe();
  EXPECT_TRUE(response.header("content-type").value_or("").starts_with("text/plain"))
      << response.header("content-type").value_or("<none>");
  // Every line is a comment or "name{labels} value".
  const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.eE+\-]+( [0-9]+)?$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (NaN|\+Inf|-Inf)$)");
  std::istringstream lines(response.body);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line.starts_with("#")) {
      continue;
    }
    EXPECT_TRUE(std::regex_match(line, sample)) << "not a Prometheus sample: " << line;
    ++samples;
  }
  EXPECT_GT(samples, 0) << response.body;
  EXPECT_NE(response.body.find("# TYPE "), std::string::npos);
}

TEST_F(Operations, MetricsTokenGuardsMetricsWhenSet) {
  ServerOptions options = server_options();
  options.args.insert(options.args.end(), {"--metrics-token", "scrape-me-0123"});
  GenqServer guarded(options);
  EXPECT_EQ(guarded.http().get("/metrics").status, 401);
  EXPECT_EQ(guarded.http().with_bearer("scrape-me-0124").get("/metrics").status, 401);
  const auto scraped = guarded.http().with_bearer("scrape-me-0123").get("/metrics");
  EXPECT_EQ(scraped.status, 200) << scraped.describe();
  EXPECT_NE(scraped.body.find("# TYPE "), std::string::npos);
  // Without the flag it stays open, as Prometheus scrapes expect by default.
  EXPECT_EQ(server().http().get("/metrics").status, 200);
}

TEST_F(Operations, ListeningLineNamesTheAddressServed) {
  const std::string out = server().process().stdout_text();
  EXPECT_NE(out.find("listening on " + server().base_url()), std::string::npos) << out;
  EXPECT_TRUE(std::regex_match(server().base_url(), std::regex(R"(http://127\.0\.0\.1:[0-9]+)")))
      << server().base_url();
}

TEST_F(Operations, SigtermStopsTheServerCleanly) {
  const auto code = server().stop(10s);
  ASSERT_TRUE(code) << "still running 10 s after SIGTERM";
  EXPECT_EQ(*code, 0) << server().logs();
}

TEST_F(Operations, TwoServersPickDifferentFreePorts) {
  GenqServer second(server_options());
  EXPECT_NE(second.base_url(), server().base_url());
  EXPECT_EQ(second.http().get("/healthz").status, 200);
}

TEST(CommandLine, ServeHelpDescribesEveryFlag) {
  const auto result = run_command({GENQ_BINARY, "serve", "--help"}, 20s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::string help = result.out + result.err;
  for (const char* flag :
       {"--listen", "--data", "--lease-ms", "--max-attempts", "--public-url", "--max-body-bytes",
        "--max-preview-bytes", "--max-result-bytes", "--result-ttl-s", "--url-ttl-s",
        "--sqlite-sync", "--threads", "--max-connections", "--max-connections-per-ip", "--metrics-token",
        "--blobs", "--s3-endpoint", "--s3-region", "--s3-access-key-id", "--s3-secret-access-key",
        "--s3-path-style", "--retention-interval-s", "--shutdown-timeout-s"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << "genq serve --help lacks " << flag;
  }
}

TEST(CommandLine, TopLevelHelpNamesTheSubcommands) {
  const auto result = run_command({GENQ_BINARY, "--help"}, 20s);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::string help = result.out + result.err;
  for (const char* command : {"serve", "worker", "admin"}) {
    EXPECT_NE(help.find(command), std::string::npos) << "genq --help lacks " << command;
  }
}

TEST(CommandLine, WorkerAndAdminHelpDescribeTheirFlags) {
  const auto worker = run_command({GENQ_BINARY, "worker", "--help"}, 20s);
  EXPECT_EQ(worker.exit_code, 0) << worker.err;
  for (const char* flag : {"--server", "--token", "--backend", "--concurrency", "--step-delay-ms",
                           "--models"}) {
    EXPECT_NE((worker.out + worker.err).find(flag), std::string::npos)
        << "genq worker --help lacks " << flag;
  }
  const auto admin = run_command({GENQ_BINARY, "admin", "create-client", "--help"}, 20s);
  EXPECT_EQ(admin.exit_code, 0) << admin.err;
  for (const char* flag : {"--data", "--name"}) {
    EXPECT_NE((admin.out + admin.err).find(flag), std::string::npos)
        << "genq admin create-client --help lacks " << flag;
  }
}

TEST(CommandLine, UnknownFlagIsAnErrorNotIgnored) {
  TempDir data("genq-data");
  ChildProcess serve({GENQ_BINARY, "serve", "--listen", "127.0.0.1:0", "--data",
                      data.path().string(), "--no-such-flag"});
  const auto code = serve.wait_exit(10s);
  ASSERT_TRUE(code) << "genq serve runs despite --no-such-flag: " << serve.describe();
  EXPECT_NE(*code, 0) << serve.describe();
}

}  // namespace
}  // namespace genq::testing
